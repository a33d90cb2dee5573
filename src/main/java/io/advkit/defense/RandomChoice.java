package io.advkit.defense;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One of several preprocessing chains, drawn anew on every call ({@code none|jpeg:75|bitdepth:5}): the victim may
 * run any of them, so an attack averages its gradient over the draws (EoT) and its examples survive each. Steps that
 * autograd cannot differentiate pass the gradient as the identity (BPDA), so every draw's gradient reaches the input.
 */
final class RandomChoice implements Preprocessor {
    private final List<List<Preprocessor>> alternatives;

    RandomChoice(List<List<Preprocessor>> alternatives) {
        this.alternatives = List.copyOf(alternatives);
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        NDArray y = x;
        for (Preprocessor p : alternatives.get(rng.nextInt(alternatives.size()))) {
            // BPDA with the identity: the forward value of p, the gradient of y
            y = p.differentiable() ? p.apply(y, rng) : y.add(p.apply(y.stopGradient(), rng).sub(y).stopGradient());
        }
        return y == x ? x.mul(1f) : y; // a new array either way: callers may free what a step returns
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    public String name() {
        return alternatives.stream().map(c -> c.isEmpty() ? "none" : c.stream().map(Preprocessor::name).collect(Collectors.joining("+")))
                .collect(Collectors.joining("|"));
    }
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One of several preprocessing chains, drawn anew on every call ({@code none|jpeg:75|bitdepth:5}): the victim may
 * run any of them, so an attack averages its gradient over the draws (EoT) and its examples survive each. Steps that
 * autograd cannot differentiate pass the gradient of a differentiable stand-in (BPDA: the identity, or a blur), so
 * every draw's gradient reaches the input.
 */
final class RandomChoice implements Preprocessor {
    private final List<List<Preprocessor>> alternatives;
    private final java.util.function.UnaryOperator<NDArray> standIn;

    RandomChoice(List<List<Preprocessor>> alternatives, java.util.function.UnaryOperator<NDArray> standIn) {
        this.alternatives = List.copyOf(alternatives);
        this.standIn = standIn;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        NDArray y = x;
        for (Preprocessor p : alternatives.get(rng.nextInt(alternatives.size()))) {
            // BPDA: the forward value of p, the gradient of the stand-in g: g(y) + (p(y) − g(y)) with the bracket held
            if (p.differentiable()) {
                y = p.apply(y, rng);
            } else {
                NDArray g = standIn.apply(y);
                y = g.add(p.apply(y.stopGradient(), rng).sub(g.stopGradient()));
            }
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

package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Scalars;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One of several preprocessing chains, drawn anew on every call ({@code none|jpeg:75|bitdepth:5}): the victim may
 * run any of them, so an attack averages its gradient over the draws (EoT) and its examples survive each. Steps that
 * autograd cannot differentiate pass the gradient of a differentiable stand-in (BPDA: the identity, a blur, or the step's differentiable approximation), so
 * every draw's gradient reaches the input.
 */
final class RandomChoice implements Preprocessor {
    private final List<List<Preprocessor>> alternatives;
    private final DefendedModel.Approximation approximation;

    RandomChoice(List<List<Preprocessor>> alternatives, DefendedModel.Approximation approximation) {
        this.alternatives = List.copyOf(alternatives);
        this.approximation = approximation;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        NDArray y = x;
        for (Preprocessor p : alternatives.get(rng.nextInt(alternatives.size()))) {
            y = p.differentiable() ? p.apply(y, rng) : approximation.through(p, y, rng);
        }
        return y == x ? Scalars.times(x, 1) : y; // a new array either way: callers may free what a step returns
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

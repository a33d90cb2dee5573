package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * The inputs whose gradients an attack averages in place of the gradient at x alone (SI's scaled copies, Admix's
 * mixtures): each copy is a differentiable function of x, drawn anew for every gradient.
 */
@FunctionalInterface
public interface InputCopies {
    /** This gradient's copies of x; constants they need live in {@code m}, freed after the step. */
    List<UnaryOperator<NDArray>> draw(NDArray x, Random rng, NDManager m);

    InputCopies SINGLE = (x, rng, m) -> List.of(xi -> xi);
}

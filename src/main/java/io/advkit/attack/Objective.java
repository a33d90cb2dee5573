package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * A differentiable function of the input pixels to the per-example values an attack maximizes: the
 * model (or ensemble, or defended model) composed with a loss and the batch's labels.
 */
@FunctionalInterface
public interface Objective {
    /** Per-example values (N) for inputs x (N×3×H×W in [0,1]). */
    NDArray value(NDArray x);
}

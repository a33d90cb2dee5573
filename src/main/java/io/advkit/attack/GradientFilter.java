package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/** A transform of the input gradient before the update (translation-invariant smoothing). */
@FunctionalInterface
public interface GradientFilter {
    NDArray apply(NDArray grad);

    GradientFilter IDENTITY = g -> g;
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;

import java.util.Random;

/** An input transformation a defense applies before the model (pixels in [0,1], N×3×H×W). */
public interface Preprocessor {
    /** The transformation itself; random ones draw from {@code rng}. */
    NDArray apply(NDArray x, Random rng);

    /** Whether autograd can differentiate {@link #apply} (JPEG and quantization cannot); most steps can. */
    default boolean differentiable() {
        return true;
    }

    /**
     * Whether BPDA replaces this step on the way back: every non-differentiable step, and a differentiable one whose
     * gradient is useless to an attacker (Defense-GAN's projection: L unrolled descent steps, costly and vanishing).
     */
    default boolean bpdaReplaces() {
        return !differentiable();
    }

    /**
     * A differentiable function close to {@link #apply}, whose gradient BPDA may pass for a non-differentiable step
     * ({@code --bpda diff}); the identity unless the step has a better one.
     */
    default NDArray differentiableApproximation(NDArray x) {
        return x;
    }

    /** Whether {@link #apply} is random (then EoT averages gradients over draws); most steps are not. */
    default boolean random() {
        return false;
    }

    String name();
}

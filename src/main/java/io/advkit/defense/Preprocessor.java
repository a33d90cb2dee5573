package io.advkit.defense;

import ai.djl.ndarray.NDArray;

import java.util.Random;

/** An input transformation a defense applies before the model (pixels in [0,1], N×3×H×W). */
public interface Preprocessor {
    /** The transformation itself; random ones draw from {@code rng}. */
    NDArray apply(NDArray x, Random rng);

    /** Whether autograd can differentiate {@link #apply} (JPEG and quantization cannot). */
    boolean differentiable();

    /** Whether {@link #apply} is random (then EoT averages gradients over draws). */
    boolean random();

    String name();
}

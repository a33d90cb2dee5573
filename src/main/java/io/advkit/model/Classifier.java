package io.advkit.model;

import ai.djl.ndarray.NDArray;

/**
 * What attacks, defenses and evaluation know of a model: pixels in [0,1] (N×3×H×W) in, logits
 * (N×classes) out, in inference mode, with any normalization inside. Implementations must be
 * differentiable with respect to the pixels.
 */
public interface Classifier {
    NDArray logits(NDArray pixels);

    int numClasses();

    /** Channels of the images it takes: 3 (RGB) or 1 (grayscale). */
    default int channels() {
        return 3;
    }

    String name();

    /**
     * The per-example function of the pixels an attack maximizes: {@code lossOfLogits(logits(x))} by
     * default. Ensembles that average losses and defenses that average over random draws override it.
     */
    default java.util.function.UnaryOperator<NDArray> objective(java.util.function.UnaryOperator<NDArray> lossOfLogits) {
        return x -> lossOfLogits.apply(logits(x));
    }

    /**
     * True when {@link #objective} is exactly the loss of {@link #logits} computed once, so an attack may
     * read the prediction off the same forward pass instead of running another.
     */
    default boolean objectiveIsLossOfLogits() {
        return true;
    }

    /**
     * How many random draws an attack should average its gradient over (Expectation over Transformation);
     * 1 for deterministic models.
     */
    default int gradientSamples() {
        return 1;
    }

    /** False for a black box that gives scores but no input gradients (an ONNX model). */
    default boolean differentiable() {
        return true;
    }

    /**
     * Called by jobs before each batch: a model with its own random or cyclic state (a random defense's draws, a
     * collection's next member) restarts it from {@code seed}, so that a batch's result depends only on the seed and
     * its images, and a job resumed after a kill writes what an uninterrupted one would have. Stateless by default.
     */
    default void startBatch(long seed) {}

    /**
     * True when successive gradients come from different networks (a collection attacked in turn): an attack that
     * compares inner layers across forwards (ILA) cannot use it.
     */
    default boolean variesPerGradient() {
        return false;
    }

    /** True when the same pixels may give different outputs (a random defense in front): what SPSA is for. */
    default boolean randomized() {
        return false;
    }

    /**
     * The models this classifier fuses, each as it presents them (behind its defense, if it has one): what an attack
     * that samples one member at a time (SVRE) differentiates. A single model is its own only member.
     */
    default java.util.List<? extends Classifier> members() {
        return java.util.List.of(this);
    }

    /** Each member's share of the fused output, in the order of {@link #members}; they sum to 1. */
    default float[] memberWeights() {
        return new float[] {1f};
    }
}

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

    String name();
}

package io.advkit.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant inside a recorded autograd graph. DJL's {@code NDArray.mul(Number)} (and {@code div},
 * {@code pow}) wraps the number in a tensor over a Java direct buffer ({@code torch::from_blob}) and drops it right
 * after the operation. The graph saves that tensor for its backward pass, so once the JVM has collected the buffer
 * the gradient is computed from freed memory: measured here, ∂(0.5·x)/∂x came back as 7.0, the value a later
 * allocation had written there (ScalarsTest), and ensemble attacks gave different images run to run. These
 * constants are tensors of PyTorch's own allocator instead, which the graph keeps alive for as long as it needs them.
 * Use them for every constant factor of something that is differentiated.
 */
public final class Scalars {
    private Scalars() {}

    /** c·x, safe to differentiate. */
    public static NDArray times(NDArray x, double c) {
        try (NDArray k = constant(x, c)) {
            return x.mul(k);
        }
    }

    /** x/c, safe to differentiate. */
    public static NDArray over(NDArray x, double c) {
        try (NDArray k = constant(x, c)) {
            return x.div(k);
        }
    }

    private static NDArray constant(NDArray like, double c) {
        // the Java handle may close at once: the graph holds its own reference to the engine-owned storage
        return like.getManager().full(new Shape(), (float) c, like.getDataType());
    }
}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.util.function.UnaryOperator;

/**
 * What advkit checks of a model it did not build (TorchScript, ONNX) before trusting it: that it takes the
 * declared input, that its output is (N, classes), and that it behaves as a model in eval mode: the same input
 * gives the same logits twice (no dropout), and an image's logits do not depend on the rest of its batch (no
 * BatchNorm on batch statistics). A module traced or exported in training mode has those baked in, and every
 * accuracy and attack on it would silently be wrong.
 */
final class ModelProbe {
    private static final int N = 4;

    private ModelProbe() {}

    /** The model's number of classes, read from its output on a probe batch of the declared shape. */
    static int classes(UnaryOperator<NDArray> forward, InputShape shape, String name) {
        try (NDManager m = NDManager.newBaseManager()) {
            // from its own generator: the engine's global seed, which jobs rely on, is left alone
            java.util.Random r = new java.util.Random(7);
            long[] dims = shape.batch(N);
            float[] px = new float[(int) (dims[0] * dims[1] * dims[2] * dims[3])];
            for (int i = 0; i < px.length; i++) {
                px[i] = r.nextFloat();
            }
            NDArray x = m.create(px, new Shape(dims));
            NDArray a;
            try {
                a = forward.apply(x);
            } catch (RuntimeException e) {
                String cause = Errors.firstLine(e);
                throw UserError.invalid("input-size", name + ": does not take images " + shape + ": "
                        + (cause.startsWith(name + ": ") ? cause.substring(name.length() + 2) : cause));
            }
            Shape s = a.getShape();
            if (s.dimension() != 2 || s.get(0) != N || s.get(1) < 2) {
                throw new UserError(name + ": its output for a batch of " + N + " images " + shape + " has shape " + s
                        + "; advkit needs logits of shape (N, classes)");
            }
            float[] first = a.toFloatArray();
            if (!close(first, forward.apply(x).toFloatArray(), 0, first.length)) {
                throw new UserError(name + ": the same images give different logits twice (dropout in training mode, or another "
                        + "random layer); save or export the module after model.eval()");
            }
            float[] alone = forward.apply(x.get("0:1")).toFloatArray();
            if (!close(first, alone, 0, alone.length)) {
                throw new UserError(name + ": an image's logits change with the other images in its batch (BatchNorm on batch "
                        + "statistics: traced or exported in training mode?); trace or export it after model.eval()");
            }
            return (int) s.get(1);
        }
    }

    private static boolean close(float[] a, float[] b, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!(Math.abs(a[i] - b[i]) <= 1e-4 * (1 + Math.abs(a[i])))) {
                return false;
            }
        }
        return true;
    }
}

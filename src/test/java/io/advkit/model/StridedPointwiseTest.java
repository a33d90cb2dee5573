package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

/**
 * The strided 1×1 convolutions whose backward pass crashes the engine ({@link StridedPointwise}) are recognised and
 * computed as the closed form y[o, h, w] = Σᵢ W[o, i] · x[i, s·h, s·w] + b[o]: values, input gradient and weight
 * gradient. On a CPU without AMX and with two or more threads (the dev VM), running them the engine's way kills this
 * test's JVM, as it killed any attack on ResNeXt-29.
 */
class StridedPointwiseTest {
    @Test
    void exactlyTheStridedPointwiseShapesOfTheEstimatesSpecialCaseAreRewritten() {
        Shape none = new Shape(0, 0);
        Shape two = new Shape(2, 2);
        assertThat(StridedPointwise.crashes(new Shape(1024, 512, 1, 1), 1, two, none)).isTrue();
        assertThat(StridedPointwise.crashes(new Shape(512, 1024, 1, 1), 1, two, none)).isTrue();
        assertThat(StridedPointwise.crashes(new Shape(2048, 1024, 1, 1), 1, two, none)).isTrue();
        assertThat(StridedPointwise.crashes(new Shape(1024, 256, 1, 1), 1, two, none)).isTrue();
        assertThat(StridedPointwise.crashes(new Shape(2048, 512, 1, 1), 2, two, none)).isTrue(); // per group 512 → 1024
        assertThat(StridedPointwise.crashes(new Shape(1024, 512, 1, 1), 1, new Shape(1, 1), none)).isFalse(); // stride 1 runs
        assertThat(StridedPointwise.crashes(new Shape(512, 256, 1, 1), 1, two, none)).isFalse(); // chenyaofo/ResNet shortcuts stay as they are
        assertThat(StridedPointwise.crashes(new Shape(1024, 512, 3, 3), 1, two, new Shape(1, 1))).isFalse();
        assertThat(StridedPointwise.crashes(new Shape(1024, 512, 1, 1), 1, two, new Shape(1, 1))).isFalse(); // padded
    }

    @Test
    void theRewrittenShapesComputeTheClosedForm() {
        for (int[] c : new int[][] {{512, 1024}, {1024, 512}, {256, 1024}}) {
            check(c[0], c[1], 2, 8);
        }
    }

    /** ResNeXt-29 (32×4d), whose last stage has 512 → 1024 at stride 2: an input gradient, where the engine's way crashed. */
    @Test
    void resnext29HasAnInputGradient() {
        try (ZooModel model = ZooModel.create("t", "resnext29_32x4d", 10, Normalization.named("pytorchcv-cifar"), 3);
             NDManager m = NDManager.newBaseManager()) {
            model.net().setTrainable(false);
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
            float[] g = io.advkit.attack.Gradients.of(xi -> model.logits(xi).get(":, 3"), x, m).gradient().toFloatArray();
            double norm = 0;
            for (float v : g) {
                assertThat(Float.isFinite(v)).isTrue();
                norm += v * v;
            }
            assertThat(norm).isPositive();
        }
    }

    /** A 1×1 convolution in → out at {@code stride} with an {@code o}×{@code o} output, against the closed form. */
    private static void check(int in, int out, int stride, int o) {
        int side = o * stride;
        String what = in + "→" + out + " stride " + stride;
        Layers.Conv2d conv = new Layers.Conv2d(in, out, 1, stride, 0, 1, true);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(in + out + stride);
            conv.initialize(m, DataType.FLOAT32, new Shape(1, in, side, side));
            conv.biasOrNull().set(m.randomUniform(-1, 1, new Shape(out)).toFloatArray());
            conv.setTrainable(true);
            NDArray x = m.randomUniform(-1, 1, new Shape(1, in, side, side));
            NDArray r = m.randomUniform(-1, 1, new Shape(1, out, o, o)); // the loss Σ y·r, so dL/dy = r
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = conv.forward(x, true);
                assertThat(z.getShape()).isEqualTo(new Shape(1, out, o, o));
                y = z.toFloatArray();
                gc.backward(z.mul(r).sum());
            }
            float[] gx = x.getGradient().toFloatArray();
            float[] gw = conv.weight().getGradient().toFloatArray();
            float[] xs = x.toFloatArray();
            float[] w = conv.weight().toFloatArray();
            float[] b = conv.biasOrNull().toFloatArray();
            float[] rs = r.toFloatArray();

            double[] yRef = new double[out * o * o];
            double[] gxRef = new double[in * side * side];
            double[] gwRef = new double[out * in];
            for (int c = 0; c < out; c++) {
                for (int h = 0; h < o; h++) {
                    for (int v = 0; v < o; v++) {
                        double acc = b[c];
                        double rr = rs[(c * o + h) * o + v];
                        for (int i = 0; i < in; i++) {
                            int xi = (i * side + h * stride) * side + v * stride;
                            acc += (double) w[c * in + i] * xs[xi];
                            gxRef[xi] += w[c * in + i] * rr;
                            gwRef[c * in + i] += xs[xi] * rr;
                        }
                        yRef[(c * o + h) * o + v] = acc;
                    }
                }
            }
            assertThat(maxRelative(y, yRef)).as(what + " values").isLessThan(1e-4);
            assertThat(maxRelative(gx, gxRef)).as(what + " input gradient").isLessThan(1e-4);
            assertThat(maxRelative(gw, gwRef)).as(what + " weight gradient").isLessThan(1e-4);
        }
    }

    private static double maxRelative(float[] a, double[] ref) {
        double scale = 1e-6;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            d = Math.max(d, Math.abs(a[i] - ref[i]));
        }
        return d / scale;
    }
}

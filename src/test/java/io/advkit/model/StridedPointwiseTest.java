package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

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
            ConvolutionClosedForm.check(c[0], c[1], 1, 2, 0, 16);
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
}

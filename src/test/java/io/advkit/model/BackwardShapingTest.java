package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.Gradients;
import io.advkit.model.BackwardShaping.Rules;
import io.advkit.util.UserError;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * SGM and LinBP change gradients only: forward values stay bit-identical, a residual block's gradient is the
 * plain one at γ = 1, the skip path's alone at γ = 0 (closed form: w ⊙ 1[out &gt; 0] for the loss Σ w ⊙ out) and
 * linear in γ between; LinBP's gradient equals that of the block without its branch ReLU, for a loss that weighs
 * only the outputs where the sum's ReLU has the same mask in both (so the branch ReLU's mask is all they differ in).
 */
class BackwardShapingTest {
    private static float[] gradient(UnaryOperator<NDArray> f, NDArray x, NDManager m, Rules rules) {
        return Gradients.of(xi -> BackwardShaping.during(rules, () -> f.apply(xi)), x, m).gradient().toFloatArray();
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    private static void assertClose(float[] a, float[] b, double tol) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("element %d", i).isCloseTo(b[i], org.assertj.core.data.Offset.offset(tol));
        }
    }

    /** A chenyaofo-style basic block of 4 channels with random weights, frozen. */
    private static TorchvisionCifarResNet.BasicBlock block(NDManager m, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        var block = new TorchvisionCifarResNet.BasicBlock(4, 4, 1, TorchvisionCifarResNet.Shortcut.PROJECTION);
        block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 4, 6, 6));
        block.setTrainable(false);
        return block;
    }

    @Test
    void sgmOnOneResidualBlockIsThePlainGradientAtOneTheSkipPathsAtZeroAndLinearBetween() {
        try (NDManager m = NDManager.newBaseManager()) {
            var block = block(m, 3);
            NDArray x = m.randomNormal(new Shape(2, 4, 6, 6));
            NDArray w = m.randomNormal(new Shape(2, 4, 6, 6));
            UnaryOperator<NDArray> loss = xi -> block.forward(xi, false).mul(w).sum(new int[] {1, 2, 3});
            float[] plain = gradient(loss, x, m, Rules.NONE);
            float[] one = gradient(loss, x, m, new Rules(1, 0, false));
            float[] zero = gradient(loss, x, m, new Rules(0, 0, false));
            float[] third = gradient(loss, x, m, new Rules(0.3, 0, false));
            assertThat(one).containsExactly(plain);
            // the skip path alone: d/dx Σ w ⊙ relu(x + c) with c constant is w ⊙ 1[out > 0]
            NDArray out = block.forward(x, false);
            float[] closed = w.mul(out.gt(0).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)).toFloatArray();
            assertClose(zero, closed, 1e-6);
            float[] between = new float[plain.length];
            for (int i = 0; i < between.length; i++) {
                between[i] = zero[i] + 0.3f * (plain[i] - zero[i]);
            }
            assertClose(third, between, 1e-5);
            assertThat(plain).isNotEqualTo(zero); // the branch carried gradient: the test could fail
        }
    }

    /** MobileNetV2's inverted residual has no activation after its sum: at γ = 0 the gradient of Σ w ⊙ out is w. */
    @Test
    void sgmReachesMobileNetV2sInvertedResiduals() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            var block = new ChenyaofoMobileNetV2.InvertedResidual(8, 8, 1, 6);
            block.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(2, 8, 6, 6));
            block.setTrainable(false);
            NDArray x = m.randomNormal(new Shape(2, 8, 6, 6));
            NDArray w = m.randomNormal(new Shape(2, 8, 6, 6));
            UnaryOperator<NDArray> loss = xi -> block.forward(xi, false).mul(w).sum(new int[] {1, 2, 3});
            float[] plain = gradient(loss, x, m, Rules.NONE);
            assertThat(gradient(loss, x, m, new Rules(1, 0, false))).containsExactly(plain);
            assertClose(gradient(loss, x, m, new Rules(0, 0, false)), w.toFloatArray(), 1e-6);
            assertThat(maxDiff(plain, w.toFloatArray())).isGreaterThan(1e-3); // the branch carried gradient
            assertThat(BackwardShaping.during(new Rules(0.3, 0, false), () -> block.forward(x, false)).toFloatArray())
                    .containsExactly(block.forward(x, false).toFloatArray()); // forward values unchanged
        }
        try (ZooModel model = ZooModel.create("t", "chenyaofo_mobilenetv2_x0_5", 10, Normalization.named("none"), 2);
             NDManager m = NDManager.newBaseManager()) {
            model.net().setTrainable(false);
            NDArray x = m.randomUniform(0, 1, new Shape(1, 3, 32, 32));
            float[] ghost = BackwardShaping.during(new Rules(1, 0, false, 0.22), () -> model.logits(x)).toFloatArray();
            assertThat(maxDiff(ghost, model.logits(x).toFloatArray())).isGreaterThan(1e-5); // a ghost, not refused
        }
    }

    @Test
    void linbpOnOneResidualBlockIsTheGradientOfTheBlockWithoutItsBranchRelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            var block = block(m, 4);
            NDArray x = m.randomNormal(new Shape(2, 4, 6, 6));
            Rules linbp = new Rules(1, 1, false);
            Rules without = new Rules(1, 1, true);
            // the sum's ReLU reads its own mask in both networks; where the masks differ the loss weight is set to 0,
            // so the branch ReLU's mask is the only thing the two gradients can differ in
            NDArray real = block.forward(x, false).gt(0);
            NDArray removed = BackwardShaping.during(without, () -> {
                BackwardShaping.enterStage(1);
                return block.forward(x, false);
            }).gt(0);
            NDArray agree = real.eq(removed).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            assertThat(agree.mean().getFloat()).isGreaterThan(0.5f);
            NDArray w = m.randomNormal(new Shape(2, 4, 6, 6)).mul(agree);
            UnaryOperator<NDArray> loss = xi -> {
                BackwardShaping.enterStage(1);
                return block.forward(xi, false).mul(w).sum(new int[] {1, 2, 3});
            };
            float[] lin = gradient(loss, x, m, linbp);
            float[] expected = gradient(loss, x, m, without);
            float[] plain = gradient(loss, x, m, Rules.NONE);
            assertClose(lin, expected, 1e-5);
            assertThat(maxDiff(lin, plain)).isGreaterThan(1e-3); // the branch ReLU's mask mattered: the test could fail
        }
    }

    @Test
    void forwardValuesAreUnchangedAndTheGradientIsNot() {
        for (String arch : new String[] {"akamaster_resnet20", "resnet20", "preresnet20", "seresnet20", "resnext29_32x4d"}) {
            try (ZooModel model = ZooModel.create("t", arch, 10, Normalization.named("none"), 5);
                 NDManager m = NDManager.newBaseManager()) {
                model.net().setTrainable(false);
                m.getEngine().setRandomSeed(9);
                NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
                NDArray w = m.randomNormal(new Shape(2, 10));
                float[] logits = model.logits(x).toFloatArray();
                Rules both = new Rules(0.2, 2, false);
                assertThat(BackwardShaping.during(both, () -> model.logits(x)).toFloatArray()).as(arch).containsExactly(logits);
                UnaryOperator<NDArray> linear = xi -> model.logits(xi).mul(w).sum(new int[] {1});
                float[] plain = gradient(linear, x, m, Rules.NONE);
                double scale = 0;
                for (float v : plain) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertThat(maxDiff(gradient(linear, x, m, new Rules(1, 2, false)), plain)).as(arch).isGreaterThan(1e-3 * scale);
                assertThat(maxDiff(gradient(linear, x, m, new Rules(0.5, 0, false)), plain)).as(arch).isGreaterThan(1e-3 * scale);
            }
        }
    }

    /** Ghost erosion draws a new network per forward from the attack's generator: reproducible, and not the plain one. */
    @Test
    void ghostErosionIsARandomButReproducibleNetworkPerForward() {
        try (ZooModel model = ZooModel.create("t", "resnet20", 10, Normalization.named("none"), 2);
             NDManager m = NDManager.newBaseManager()) {
            model.net().setTrainable(false);
            NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 16, 16));
            Rules ghost = new Rules(1, 0, false, 0.22);
            float[] plain = model.logits(x).toFloatArray();
            float[] a = BackwardShaping.during(ghost, new java.util.Random(5), () -> model.logits(x)).toFloatArray();
            float[] b = BackwardShaping.during(ghost, new java.util.Random(5), () -> model.logits(x)).toFloatArray();
            java.util.Random r = new java.util.Random(5);
            float[] c1 = BackwardShaping.during(ghost, r, () -> model.logits(x)).toFloatArray();
            float[] c2 = BackwardShaping.during(ghost, r, () -> model.logits(x)).toFloatArray();
            assertThat(a).containsExactly(b);
            assertThat(maxDiff(a, plain)).isGreaterThan(1e-4);
            assertThat(maxDiff(c1, c2)).isGreaterThan(1e-4); // the next forward is another ghost
            // tau 0 is the plain network
            assertThat(BackwardShaping.during(new Rules(1, 0, false, 0), () -> model.logits(x)).toFloatArray()).containsExactly(plain);
        }
    }

    @Test
    void aModelTheRulesCannotReachIsRefused() {
        try (ZooModel model = ZooModel.create("t", "densenet40_k12", 10, Normalization.named("none"), 1);
             ZooModel resnet = ZooModel.create("r", "resnet20", 10, Normalization.named("none"), 1);
             NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(0, 1, new Shape(1, 3, 32, 32));
            assertThatThrownBy(() -> BackwardShaping.during(new Rules(0.5, 0, false), () -> model.logits(x)))
                    .isInstanceOf(UserError.class).hasMessageContaining("residual");
            assertThatThrownBy(() -> BackwardShaping.during(new Rules(1, 4, false), () -> resnet.logits(x)))
                    .isInstanceOf(UserError.class).hasMessageContaining("only 3 stages");
        }
    }
}

package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.BackwardShaping;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ILA fine-tunes what its baseline found: inside the budget, the projection of the layer's change onto the
 * baseline's change, (F(x'') − F(x))·(F(x') − F(x)), ends above where it started, ‖F(x') − F(x)‖².
 */
class IlaTest {
    @Test
    void theFineTuningPushesTheLayerFurtherAlongTheBaselinesChange() {
        try (ZooModel model = ZooModel.create("r", "resnet20", 10, Normalization.named("none"), 3);
             NDManager m = NDManager.newBaseManager()) {
            model.net().setTrainable(false);
            m.getEngine().setRandomSeed(2);
            NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 16, 16));
            NDArray y = m.create(new long[] {0, 1, 2});
            ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
            Attack baseline = Attacks.build("bim", AttackSettings.DEFAULTS.withSteps(5));
            NDArray start = baseline.run(AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(0), m));
            NDArray tuned = new ILA(baseline, 2, 10, 0.1).run(AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(0), m));
            assertThat(tuned.sub(x).abs().max().getFloat()).isLessThanOrEqualTo(8 / 255f + 1e-6f);
            NDArray f0 = feature(model, x);
            NDArray d = feature(model, start).sub(f0);
            float[] before = d.mul(d).reshape(3, -1).sum(new int[] {1}).toFloatArray();
            float[] after = feature(model, tuned).sub(f0).mul(d).reshape(3, -1).sum(new int[] {1}).toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat(after[i]).as("image %d", i).isGreaterThan(before[i] * 1.05f);
            }
        }
    }

    private static NDArray feature(ZooModel model, NDArray x) {
        return BackwardShaping.capturing(2, () -> model.logits(x)).features().get(0);
    }
}

package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * FAB on a linear binary classifier, where the minimal perturbation has a closed form: the distance from x to the
 * hyperplane w·z = 0 is |w·x| / ‖w‖_q, q the dual of the attack's norm (L1 for L∞, L2 for L2, L∞ for L1).
 */
class FABTest {
    private static final int D = 3 * 4 * 4;
    private NDManager m;
    private float[] w;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(2);
        w = new float[D];
        Random r = new Random(8);
        for (int i = 0; i < D; i++) {
            w[i] = (float) r.nextGaussian();
        }
    }

    @AfterEach
    void close() {
        m.close();
    }

    /**
     * Two images near 0.5 with w·x = −0.3 and −0.45: class 0 (score w·x) loses to class 1 (score 0), so they are
     * labelled 1 and correct, and the nearest boundary point lies inside the box in every norm.
     */
    private NDArray images() {
        double sumW = 0;
        double sq = 0;
        for (float v : w) {
            sumW += v;
            sq += v * v;
        }
        float[] x = new float[2 * D];
        double[] margins = {0.3, 0.45};
        for (int img = 0; img < 2; img++) {
            double coef = (0.5 * sumW + margins[img]) / sq; // x = 0.5 − coef·w puts w·x at −margin
            for (int k = 0; k < D; k++) {
                x[img * D + k] = (float) (0.5 - coef * w[k]);
            }
        }
        return m.create(x, new Shape(2, 3, 4, 4));
    }

    private double closedForm(float[] x, Norm norm) {
        double wx = 0;
        for (int i = 0; i < D; i++) {
            wx += (double) w[i] * x[i];
        }
        return Math.abs(wx) / FabProjections.dualNorm(norm, w);
    }

    @Test
    void fabFindsTheClosedFormDistanceInEveryNorm() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        assertThat(model.logits(x).argMax(1).toLongArray()).containsOnly(1L);
        float[] xs = x.toFloatArray();
        for (Norm norm : List.of(Norm.LINF, Norm.L2, Norm.L1)) {
            for (FAB fab : List.of(new FAB(100, 1, 0), new FAB(100, 1, 1))) {
                // a budget far beyond the boundary, so the attack's own minimal point comes back
                AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(norm, norm == Norm.LINF ? 1 : norm == Norm.L2 ? 6 : 40), new Random(1), m);
                NDArray adv = fab.run(p);
                assertThat(p.success(adv)).as(fab.name() + " " + norm).containsOnly(true);
                float[] d = p.threat().distance(adv, x);
                for (int i = 0; i < 2; i++) {
                    double want = closedForm(java.util.Arrays.copyOfRange(xs, i * D, (i + 1) * D), norm);
                    assertThat((double) d[i]).as(fab.name() + " " + norm + " image " + i).isBetween(want * (1 - 1e-4), want * 1.02);
                }
            }
        }
    }

    /** Within a budget below the closed-form distance FAB cannot succeed, and the image comes back clean. */
    @Test
    void fabReturnsTheCleanImageWhenTheBoundaryIsOutOfReach() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        double want = closedForm(java.util.Arrays.copyOfRange(x.toFloatArray(), 0, D), Norm.L2);
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(Norm.L2, want * 0.9), new Random(1), m);
        NDArray adv = new FAB(50, 1, 1).run(p);
        assertThat(adv.sub(x).abs().max().getFloat()).isCloseTo(0f, within(0f));
    }
}

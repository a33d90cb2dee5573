package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MI-CWA (Chen et al. 2024) against its update rule written out in doubles, with gradients in closed form. */
class CwaTest {
    private static final int D = 3 * 4 * 4;
    private static final double EPS = 8 / 255.0;

    private static float[][] twoClass(long seed) {
        return LinearModel.gaussian(seed, 2, D);
    }

    /**
     * Linear two-class members under the margin loss z_other − z_y have constant input gradients W[other] − W[y], so
     * the whole trajectory can be computed by hand: step back along the ensemble's gradient sign, walk the members in
     * order with an L2-normalized momentum (weighted K·w_k, carried across steps), MI step along the walk. Two regimes:
     * a walk that hits the ball's boundary in one step (the default β = 10) and a short one where the step back shows.
     */
    @Test
    void followsTheUpdateRuleWrittenOutByHand() {
        for (double[] rb : new double[][] {{0.0667, 10}, {0.5, 0.05}}) {
            double reverse = rb[0];
            double inner = rb[1];
            try (NDManager m = NDManager.newBaseManager()) {
                float[][][] w = {twoClass(1), twoClass(2), twoClass(3)};
                float[] weights = {1, 2, 1};
                List<Classifier> members = new ArrayList<>();
                for (float[][] wk : w) {
                    members.add(new LinearModel(m, wk));
                }
                Ensemble ensemble = new Ensemble(members, weights, Ensemble.Fusion.LOGITS);
                Random r = new Random(7);
                float[] x0 = new float[2 * D];
                for (int i = 0; i < x0.length; i++) {
                    x0[i] = 0.2f + 0.6f * r.nextFloat();
                }
                long[] labels = {0, 1};
                int steps = 6;
                double alpha = 0.3 * EPS; // never a whole multiple of ε, so no rounding decides a sign at the boundary
                NDArray adv = new CWA(steps, StepSize.absolute(alpha), 1.0, reverse, inner, GradientPipeline.PLAIN).run(AttackProblem.untargeted(
                        ensemble, m.create(x0, new Shape(2, 3, 4, 4)), m.create(labels), Loss.CW, new ThreatModel(Norm.LINF, EPS), new Random(0), m));
                float[] got = adv.toFloatArray();
                for (int n = 0; n < 2; n++) {
                    double[] expected = byHand(w, weights, x0, n, (int) labels[n], steps, alpha, reverse, inner);
                    for (int i = 0; i < D; i++) {
                        assertThat((double) got[n * D + i]).as("image %d pixel %d (r %s, β %s)", n, i, reverse, inner)
                                .isCloseTo(expected[i], within(1e-5));
                    }
                }
            }
        }
    }

    /** The rule for one image, in doubles. */
    private static double[] byHand(float[][][] w, float[] weights, float[] x0All, int n, int y, int steps, double alpha,
                                   double reverse, double inner) {
        int k = w.length;
        double total = 0;
        for (float v : weights) {
            total += v;
        }
        double[] x0 = new double[D];
        for (int i = 0; i < D; i++) {
            x0[i] = x0All[n * D + i];
        }
        double[][] g = new double[k][D]; // ∇(z_other − z_y) of member j
        double[] ens = new double[D];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < D; i++) {
                g[j][i] = w[j][1 - y][i] - w[j][y][i];
                ens[i] += weights[j] / total * g[j][i];
            }
        }
        double beta = inner * EPS * Math.sqrt(D);
        double[] x = x0.clone();
        double[] walk = null;
        double[] momentum = new double[D];
        for (int t = 0; t < steps; t++) {
            double[] z = new double[D];
            for (int i = 0; i < D; i++) {
                z[i] = project(x[i] - reverse * EPS * Math.signum(ens[i]), x0[i]);
            }
            for (int j = 0; j < k; j++) {
                double norm = 0;
                for (double v : g[j]) {
                    norm += v * v;
                }
                double scale = k * weights[j] / total / Math.sqrt(norm);
                double[] next = new double[D];
                for (int i = 0; i < D; i++) {
                    next[i] = (walk == null ? 0 : walk[i]) + scale * g[j][i];
                    z[i] = project(z[i] + beta * next[i], x0[i]);
                }
                walk = next;
            }
            double l1 = 0;
            for (int i = 0; i < D; i++) {
                l1 += Math.abs(z[i] - x[i]);
            }
            for (int i = 0; i < D; i++) {
                momentum[i] += (z[i] - x[i]) / (l1 + 1e-12); // a walk that ends on x_t adds nothing, as in Norm.normalize
            }
            for (int i = 0; i < D; i++) {
                x[i] = project(x[i] + alpha * Math.signum(momentum[i]), x0[i]);
            }
        }
        return x;
    }

    private static double project(double v, double x0) {
        return Math.min(1, Math.max(0, x0 + Math.max(-EPS, Math.min(EPS, v - x0))));
    }

    /** A step costs the ensemble's gradient and one gradient of each member: twice an MI step. */
    @Test
    void aStepCostsTwoPassesPerMember() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<CountingForwards> members = List.of(new CountingForwards(new LinearModel(m, twoClass(1))), new CountingForwards(new LinearModel(m, twoClass(2))),
                    new CountingForwards(new LinearModel(m, twoClass(3))));
            Ensemble ensemble = new Ensemble(members, null, Ensemble.Fusion.LOGITS);
            new CWA(3, StepSize.ofEps(0.5), 1.0, 0.0667, 10, GradientPipeline.PLAIN).run(AttackProblem.untargeted(ensemble,
                    m.randomUniform(0.2f, 0.8f, new Shape(2, 3, 4, 4)), m.create(new long[] {0, 1}), Loss.CE, new ThreatModel(Norm.LINF, EPS),
                    new Random(0), m));
            assertThat(members).allSatisfy(c -> assertThat(c.calls).isEqualTo(2 * 3));
        }
    }

    @Test
    void badSettingsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> new CWA(10, StepSize.ofEps(0.2), 1.0, -0.1, 10, GradientPipeline.PLAIN)).isInstanceOf(UserError.class)
                .hasMessageContaining("step back");
        assertThatThrownBy(() -> new CWA(10, StepSize.ofEps(0.2), 1.0, 0.1, 0, GradientPipeline.PLAIN)).isInstanceOf(UserError.class);
    }
}

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
 * FAB, DeepFool, FMN and CW-L2 on a linear binary classifier, where the minimal perturbation has a closed form: the distance from x to the
 * hyperplane w·z = 0 is |w·x| / ‖w‖_q, q the dual of the attack's norm (L1 for L∞, L2 for L2, L∞ for L1).
 */
class MinimalNormAttacksTest {
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

    /** DeepFool lands on the same boundary in one linear step, overshot by 2%: the closed form times 1.02. */
    @Test
    void deepFoolIsTheClosedFormOvershot() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        float[] xs = x.toFloatArray();
        for (Norm norm : List.of(Norm.LINF, Norm.L2)) {
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(norm, norm == Norm.LINF ? 0.5 : 1), new Random(1), m);
            MinimalNorm.Result r = new DeepFool(50).minimal(p);
            for (int i = 0; i < 2; i++) {
                double want = closedForm(java.util.Arrays.copyOfRange(xs, i * D, (i + 1) * D), norm);
                assertThat(r.distances()[i]).as(norm + " image " + i).isBetween(want * 1.02, want * 1.025);
            }
            assertThat(p.success(new DeepFool(50).run(p))).containsOnly(true); // both within the budgets given
        }
    }

    /**
     * FMN's adaptive ball closes in on the boundary from both sides: in L∞ and L2 its distances are the closed form
     * within 1%, in L1 (dense normalized-gradient steps toward a sparse optimum) within 5%; its points fool the model.
     */
    @Test
    void fmnConvergesToTheClosedFormDistance() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        float[] xs = x.toFloatArray();
        for (Norm norm : List.of(Norm.LINF, Norm.L2, Norm.L1)) {
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(norm, 1e-3), new Random(1), m);
            MinimalNorm.Result r = new FMN(100).minimal(p);
            for (int i = 0; i < 2; i++) {
                double want = closedForm(java.util.Arrays.copyOfRange(xs, i * D, (i + 1) * D), norm);
                assertThat(r.distances()[i]).as(norm + " image " + i).isBetween(want * (1 - 1e-4), want * (norm == Norm.L1 ? 1.05 : 1.01));
                // a minimal point sits on the boundary up to float rounding (another batch's matmul may round it back
                // across): 0.1% further out it fools
                assertThat(model.logits(beyond(xs, r.points()[i], i)).argMax(1).getLong(0)).as(norm + " image " + i + " fools").isZero();
            }
        }
    }

    /**
     * Where the untargeted margin misleads: three linear classes, the label 2 (score 0), class 0 close in score but
     * far in the input (a small weight vector), class 1 far in score but near in the input (a large one). The
     * untargeted margin follows class 0, the highest other score, to its far boundary; FMN-T, toward each runner-up
     * in turn, finds class 1's boundary at the closed-form distance min_j −w_j·x / ‖w_j‖_dual.
     */
    @Test
    void fmnTargetedFindsTheNearerBoundaryTheUntargetedMarginMisses() {
        Random r = new Random(5);
        float[] u = new float[D];
        float[] v = new float[D];
        for (int k = 0; k < D; k++) {
            u[k] = (float) (0.05 * r.nextGaussian());
            v[k] = (float) (5 * r.nextGaussian());
        }
        // x = 0.5 + a·u + b·v with u·x = −0.1 and v·x = −1: a 2×2 linear system
        double uu = 0, uv = 0, vv = 0, su = 0, sv = 0;
        for (int k = 0; k < D; k++) {
            uu += u[k] * u[k];
            uv += u[k] * v[k];
            vv += v[k] * v[k];
            su += 0.5 * u[k];
            sv += 0.5 * v[k];
        }
        double ru = -0.1 - su;
        double rv = -1 - sv;
        double det = uu * vv - uv * uv;
        double a = (ru * vv - rv * uv) / det;
        double b = (rv * uu - ru * uv) / det;
        float[] xs = new float[D];
        for (int k = 0; k < D; k++) {
            xs[k] = (float) (0.5 + a * u[k] + b * v[k]);
        }
        LinearModel model = new LinearModel(m, new float[][] {u, v, new float[D]});
        NDArray x = m.create(xs, new Shape(1, 3, 4, 4));
        NDArray y = m.create(new long[] {2});
        float[] z = model.logits(x).toFloatArray();
        assertThat(z[0]).isCloseTo(-0.1f, within(1e-3f));
        assertThat(z[1]).isCloseTo(-1f, within(1e-3f));
        for (Norm norm : List.of(Norm.LINF, Norm.L2, Norm.L1)) {
            double toClass0 = 0.1 / FabProjections.dualNorm(norm, u);
            double toClass1 = 1 / FabProjections.dualNorm(norm, v);
            assertThat(toClass1).as("the setup: class 1's boundary is the nearer").isLessThan(toClass0 / 5);
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(norm, 1e-3), new Random(1), m);
            MinimalNorm.Result targeted = new FMN(100, 2).minimal(p);
            assertThat(targeted.distances()[0]).as(norm + ", FMN-T").isBetween(toClass1 * (1 - 1e-4), toClass1 * (norm == Norm.L1 ? 1.05 : 1.01));
            assertThat(model.logits(m.create(targeted.points()[0], new Shape(1, 3, 4, 4))).argMax(1).getLong(0)).as(norm.toString()).isNotEqualTo(2L);
            assertThat(new FMN(100).minimal(p).distances()[0]).as(norm + ", untargeted FMN").isGreaterThan(2 * toClass1);
        }
    }

    /** CW-L2's binary search over c ends at the closed-form L2 distance (within 2%), on points that fool the model. */
    @Test
    void carliniWagnerFindsTheClosedFormL2Distance() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        float[] xs = x.toFloatArray();
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(Norm.L2, 1e-3), new Random(1), m);
        MinimalNorm.Result r = new CarliniWagnerL2(100, 9).minimal(p);
        for (int i = 0; i < 2; i++) {
            double want = closedForm(java.util.Arrays.copyOfRange(xs, i * D, (i + 1) * D), Norm.L2);
            assertThat(r.distances()[i]).as("image " + i).isBetween(want * (1 - 1e-4), want * 1.02);
            assertThat(model.logits(beyond(xs, r.points()[i], i)).argMax(1).getLong(0)).isZero();
        }
        assertThat(new CarliniWagnerL2(100, 9).run(p).sub(x).abs().max().getFloat()).as("none within ε = 0.001").isZero();
    }

    /** Image i's point moved 0.1% further from its clean image. */
    private NDArray beyond(float[] clean, float[] point, int i) {
        float[] out = new float[D];
        for (int k = 0; k < D; k++) {
            out[k] = clean[i * D + k] + 1.001f * (point[k] - clean[i * D + k]);
        }
        return m.create(out, new Shape(1, 3, 4, 4));
    }

    /** The per-image ball projection FMN uses: every norm lands on its own radius, and points inside stay put. */
    @Test
    void projectionOntoPerImageBallsKeepsEachRadius() {
        Random r = new Random(3);
        float[] d = new float[3 * D];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        NDArray delta = m.create(d, new Shape(3, 3, 4, 4));
        for (Norm norm : List.of(Norm.LINF, Norm.L2, Norm.L1)) {
            float[] size = norm.perImage(delta).toFloatArray();
            float[] radius = {size[0] / 2, size[1] / 5, size[2] * 2}; // the third is already inside
            NDArray out = norm.projectOntoBall(delta, m.create(radius, new Shape(3, 1, 1, 1)));
            float[] got = norm.perImage(out).toFloatArray();
            assertThat(got[0]).as(norm + " halved").isCloseTo(radius[0], within(1e-4f * radius[0]));
            assertThat(got[1]).as(norm + " a fifth").isCloseTo(radius[1], within(1e-4f * radius[1]));
            assertThat(out.get(2).toFloatArray()).as(norm + " inside").containsExactly(delta.get(2).toFloatArray());
        }
    }

    /** FAB's minimal mode keeps every image's closest point, whatever the budget. */
    @Test
    void fabMinimalDistancesIgnoreTheBudget() {
        LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
        NDArray x = images();
        NDArray y = m.create(new long[] {1, 1});
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(Norm.L2, 1e-3), new Random(1), m);
        MinimalNorm.Result r = new FAB(100, 1, 0).minimal(p);
        for (int i = 0; i < 2; i++) {
            double want = closedForm(java.util.Arrays.copyOfRange(x.toFloatArray(), i * D, (i + 1) * D), Norm.L2);
            assertThat(r.distances()[i]).isBetween(want * (1 - 1e-4), want * 1.02);
        }
        assertThat(new FAB(100, 1, 0).run(p).sub(x).abs().max().getFloat()).isZero(); // none within ε = 0.001
    }

    /** The projections' sort: increasing values, negative ones included, ties in index order. */
    @Test
    void argsortOrdersValuesAndBreaksTiesByIndex() {
        double[] v = {0.5, -2, 1e12, -1e-3, 0.5, 0, -1e12};
        assertThat(FabProjections.argsort(v)).containsExactly(6, 1, 3, 5, 0, 4, 2);
    }
}

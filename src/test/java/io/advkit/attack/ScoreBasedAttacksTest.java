package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Square (scores only) and APGD-T's targets, on models whose behaviour is known. */
class ScoreBasedAttacksTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Three classes scoring w_k·x on 3×8×8 images. */
    private LinearModel linear(int seed) {
        float[][] w = new float[3][3 * 8 * 8];
        Random r = new Random(seed);
        for (float[] row : w) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) r.nextGaussian() * 0.3f;
            }
        }
        return new LinearModel(m, w);
    }

    private static float margin(float[] z, int label) {
        float other = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < z.length; j++) {
            if (j != label) {
                other = Math.max(other, z[j]);
            }
        }
        return z[label] - other;
    }

    /** Square lowers each image's margin (never raises it) and stays in the ε-ball and the pixel range, for L∞, L2 and L1. */
    @Test
    void squareLowersTheMarginInsideTheBall() {
        LinearModel model = linear(3);
        NDArray x = m.randomUniform(0.2f, 0.8f, new Shape(6, 3, 8, 8));
        NDArray y = model.logits(x).argMax(1); // correctly classified by construction
        for (ThreatModel tm : List.of(new ThreatModel(Norm.LINF, 4 / 255.0), new ThreatModel(Norm.L2, 0.3), new ThreatModel(Norm.L1, 2.0))) {
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(5), m);
            NDArray adv = new Square(300, 0.8).run(p);
            for (float d : tm.distance(adv, x)) {
                assertThat(d).as(tm.toString()).isLessThanOrEqualTo((float) tm.eps() + 1e-5f);
            }
            assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
            float[] before = model.logits(x).toFloatArray();
            float[] after = model.logits(adv).toFloatArray();
            long[] labels = y.toLongArray();
            double drop = 0;
            for (int i = 0; i < labels.length; i++) {
                float mb = margin(java.util.Arrays.copyOfRange(before, 3 * i, 3 * i + 3), (int) labels[i]);
                float ma = margin(java.util.Arrays.copyOfRange(after, 3 * i, 3 * i + 3), (int) labels[i]);
                assertThat(ma).as(tm + " image " + i).isLessThanOrEqualTo(Math.max(mb, 0) + 1e-4f);
                drop += mb - ma;
            }
            assertThat(drop).as(tm.toString()).isPositive();
        }
    }

    /** With room enough, Square finds what the gradient would: a linear model falls at a budget beyond its margins. */
    @Test
    void squareFoolsALinearModelGivenTheBudget() {
        LinearModel model = linear(4);
        NDArray x = m.randomUniform(0.3f, 0.7f, new Shape(4, 3, 8, 8));
        NDArray y = model.logits(x).argMax(1);
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(Norm.LINF, 0.2), new Random(5), m);
        assertThat(p.success(new Square(1000, 0.8).run(p))).containsOnly(true);
    }

    /** SPSA, from scores alone, lowers the margin of a linear model and stays in the ε-ball. */
    @Test
    void spsaLowersTheMarginInsideTheBall() {
        LinearModel model = linear(6);
        NDArray x = m.randomUniform(0.3f, 0.7f, new Shape(3, 3, 8, 8));
        NDArray y = model.logits(x).argMax(1);
        ThreatModel tm = new ThreatModel(Norm.LINF, 4 / 255.0);
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(5), m);
        NDArray adv = new SPSA(20, 32).run(p);
        for (float d : tm.distance(adv, x)) {
            assertThat(d).isLessThanOrEqualTo((float) tm.eps() + 1e-6f);
        }
        float[] before = model.logits(x).toFloatArray();
        float[] after = model.logits(adv).toFloatArray();
        long[] labels = y.toLongArray();
        for (int i = 0; i < 3; i++) {
            float mb = margin(java.util.Arrays.copyOfRange(before, 3 * i, 3 * i + 3), (int) labels[i]);
            float ma = margin(java.util.Arrays.copyOfRange(after, 3 * i, 3 * i + 3), (int) labels[i]);
            assertThat(ma).as("image " + i).isLessThan(mb);
        }
    }

    @Test
    void etaPatternsHaveUnitNorm() {
        for (int s : new int[] {3, 5, 6, 7}) {
            float[] e = Square.eta(s, Norm.L2, new Random(s));
            double sum = 0;
            for (float v : e) {
                sum += v * v;
            }
            assertThat(sum).isCloseTo(1.0, within(1e-5));
            float[] l1 = Square.eta(s, Norm.L1, new Random(s));
            double mass = 0;
            for (float v : l1) {
                mass += Math.abs(v);
            }
            assertThat(mass).isCloseTo(1.0, within(1e-5));
        }
        // s = 6: each half is 3×6 with its centre at (1, 3), inside all four rings; its neighbour (1, 2) is outside
        // ring 0 only. So the largest |value| over the next one is (1 + a)/a, a = Σ_{r=1..3} w_r, w_r = 1/(r+1)^2 for
        // L2 and 1/(r+1)^4 for L1 (the paper's patterns)
        for (Norm norm : List.of(Norm.L2, Norm.L1)) {
            double a = 0;
            for (int r = 1; r <= 3; r++) {
                a += norm == Norm.L1 ? Math.pow(r + 1, -4) : Math.pow(r + 1, -2);
            }
            double[] distinct = java.util.Arrays.stream(toDoubles(Square.eta(6, norm, new Random(2))))
                    .map(Math::abs).map(v -> Math.round(v * 1e6) / 1e6).distinct().sorted().toArray();
            int k = distinct.length;
            assertThat(distinct[k - 1] / distinct[k - 2]).as(norm.toString()).isCloseTo((1 + a) / a, within(1e-3));
        }
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** Square-L1 fools a linear model given an L1 budget beyond its margins, every example inside the L1 ball and the box. */
    @Test
    void squareL1FoolsALinearModelGivenTheBudget() {
        LinearModel model = linear(4);
        NDArray x = m.randomUniform(0.3f, 0.7f, new Shape(4, 3, 8, 8));
        NDArray y = model.logits(x).argMax(1);
        ThreatModel tm = new ThreatModel(Norm.L1, 12.0);
        AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(5), m);
        NDArray adv = new Square(1000, 0.8).run(p);
        assertThat(p.success(adv)).containsOnly(true);
        for (float d : tm.distance(adv, x)) {
            assertThat(d).isLessThanOrEqualTo(12f + 1e-4f);
        }
        assertThat(adv.min().getFloat()).isGreaterThanOrEqualTo(0f);
        assertThat(adv.max().getFloat()).isLessThanOrEqualTo(1f);
    }

    /** APGD-T's targets, in order, are each image's classes by decreasing clean logit after the top one. */
    @Test
    void apgdTargetsFollowTheSortedCleanLogits() {
        try (ZooModel net = ZooModel.create("net", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 3)) {
            NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 32, 32));
            NDArray y = net.logits(x).argMax(1);
            AttackProblem p = AttackProblem.untargeted(net, x, y, Loss.CE, new ThreatModel(Norm.LINF, 8 / 255.0), new Random(1), m);
            long[][] order = APGDTargeted.targetOrder(p, 9);
            float[] z = net.logits(x).toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat(order[i]).hasSize(9).doesNotContain(y.toLongArray()[i]);
                for (int k = 1; k < 9; k++) {
                    assertThat(z[i * 10 + (int) order[i][k - 1]]).isGreaterThanOrEqualTo(z[i * 10 + (int) order[i][k]]);
                }
            }
        }
    }
}

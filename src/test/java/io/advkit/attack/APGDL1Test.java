package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** L1-APGD and its projection onto the L1 ball ∩ the pixel box. */
class APGDL1Test {
    private static final int D = 3 * 4 * 4;

    /**
     * The projection is feasible and optimal: z is in the set, and (y − z)·(w − z) ≤ 0 for every w in the set (the
     * variational inequality that characterizes the Euclidean projection onto a convex set), tried on many random w.
     */
    @Test
    void projectionIsFeasibleAndSatisfiesTheVariationalInequality() {
        Random r = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int d = 1 + r.nextInt(40);
            float[] x = new float[d];
            float[] y = new float[d];
            for (int i = 0; i < d; i++) {
                x[i] = r.nextInt(4) == 0 ? r.nextInt(2) : r.nextFloat(); // some pixels at the box's faces
                y[i] = (float) (r.nextGaussian() * (r.nextBoolean() ? 0.1 : 0.8));
            }
            double eps = 0.05 + r.nextDouble() * 2;
            float[] z = L1BoxProjection.project(x, y, eps);
            assertThat(feasible(x, z, eps, 1e-5)).as("trial " + trial).isTrue();
            for (int k = 0; k < 50; k++) {
                float[] w = randomPoint(x, eps, r);
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += (double) (y[i] - z[i]) * (w[i] - z[i]);
                }
                assertThat(dot).as("trial " + trial).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    /** A perturbation already in the set is its own projection. */
    @Test
    void aFeasiblePerturbationIsLeftAlone() {
        float[] x = {0.2f, 0.5f, 0.9f, 0f};
        float[] y = {0.1f, -0.2f, 0.05f, 0.3f};
        assertThat(L1BoxProjection.project(x, y, 1.0)).containsExactly(y);
    }

    private static boolean feasible(float[] x, float[] z, double eps, double tol) {
        double l1 = 0;
        for (int i = 0; i < x.length; i++) {
            l1 += Math.abs(z[i]);
            if (x[i] + z[i] < -tol || x[i] + z[i] > 1 + tol) {
                return false;
            }
        }
        return l1 <= eps + tol;
    }

    /** A random member of the set: a random box direction scaled into the ball. */
    private static float[] randomPoint(float[] x, double eps, Random r) {
        float[] w = new float[x.length];
        double l1 = 0;
        for (int i = 0; i < x.length; i++) {
            w[i] = (float) ((r.nextBoolean() ? 1 - x[i] : -x[i]) * r.nextDouble() * (r.nextInt(3) == 0 ? 1 : 0));
            l1 += Math.abs(w[i]);
        }
        double s = l1 > eps ? eps / l1 * 0.999 : 1;
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (w[i] * s);
        }
        return w;
    }

    /**
     * On a linear binary model the smallest L1 perturbation inside the box is a fractional knapsack: move the pixels
     * with the largest |w| first, each as far as its box allows. APGD-CE under L1 fools both images at 1.1× that
     * distance and stays inside the L1 ball and the box; at 0.9× it cannot, and returns points that do not fool.
     */
    @Test
    void apgdL1ReachesTheBoxAwareMinimalDistance() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            Random r = new Random(9);
            float[] w = new float[D];
            for (int i = 0; i < D; i++) {
                w[i] = (float) r.nextGaussian();
            }
            float[] xs = new float[2 * D];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = 0.2f + 0.6f * r.nextFloat();
            }
            LinearModel model = new LinearModel(m, new float[][] {w, new float[D]});
            NDArray x = m.create(xs, new Shape(2, 3, 4, 4));
            long[] labels = model.logits(x).argMax(1).toLongArray();
            NDArray y = m.create(labels);
            for (int img = 0; img < 2; img++) {
                double need = minimalL1(w, Arrays.copyOfRange(xs, img * D, (img + 1) * D), labels[img]);
                for (double factor : new double[] {1.1, 0.9}) {
                    NDArray xi = x.get(img + ":" + (img + 1));
                    ThreatModel tm = new ThreatModel(Norm.L1, need * factor);
                    AttackProblem p = AttackProblem.untargeted(model, xi, y.get(img + ":" + (img + 1)), Loss.CE, tm, new Random(1), m);
                    NDArray adv = new APGD(100, Loss.CE, "ce").run(p);
                    float[] a = adv.toFloatArray();
                    float[] c = xi.toFloatArray();
                    float[] z = new float[D];
                    for (int k = 0; k < D; k++) {
                        z[k] = a[k] - c[k];
                    }
                    assertThat(feasible(c, z, tm.eps(), 1e-4)).as("image " + img + " at " + factor).isTrue();
                    assertThat(p.success(adv)[0]).as("image " + img + " at " + factor + "× the minimal L1 distance " + need).isEqualTo(factor > 1);
                }
            }
        }
    }

    /** The box-aware minimal L1 distance to the boundary w·x = 0 of the two-class model (scores w·x and 0). */
    private static double minimalL1(float[] w, float[] x, long label) {
        double margin = 0; // how far w·x must move, in the direction that changes the label
        for (int i = 0; i < w.length; i++) {
            margin += (double) w[i] * x[i];
        }
        double sign = label == 0 ? -1 : 1; // class 0 wins while w·x > 0: push w·x down, else up
        margin = Math.abs(margin);
        Integer[] order = new Integer[w.length];
        for (int i = 0; i < w.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Float.compare(Math.abs(w[q]), Math.abs(w[p])));
        double dist = 0;
        for (int i : order) {
            boolean up = sign * w[i] > 0; // raising pixel i moves w·x the right way
            double room = up ? 1 - x[i] : x[i];
            double gain = Math.abs(w[i]) * room;
            if (gain >= margin) {
                return dist + margin / Math.abs(w[i]);
            }
            dist += room;
            margin -= gain;
        }
        return Double.POSITIVE_INFINITY;
    }
}

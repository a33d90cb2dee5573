package io.advkit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Gradients;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;

/**
 * Turns an attack's float adversarial examples into 8-bit images that still fool the model. Rounding to the nearest
 * lattice point inside the budget ({@link ThreatModel#toPixels}) loses the examples that sat just across the
 * boundary; for L∞ those are retried by rounding away from the clean image (every perturbed value to the far
 * integer, still within ⌊255ε⌋), then by up to {@link #SEARCH_STEPS} steps of one grey level along the sign of the
 * loss gradient on the lattice itself. For L2 and L1, whose nearest rounding is scaled back into the ball, the lost
 * ones get up to {@link #SEARCH_STEPS} budget-keeping steps on the lattice instead ({@link #budgetSearch}). Every
 * verdict is the model's prediction on the rounded image.
 */
final class LatticeRepair {
    static final int SEARCH_STEPS = 10;

    /**
     * The images as saved (floats on the lattice), which fooled the model in floats and which do as saved, and the
     * counts of what rounding did to the attack's successes.
     */
    record Repaired(NDArray images, boolean[] floatFooled, boolean[] fooled, int floatSuccesses, int lost, int recovered) {
        /** Whether image j's float success did not survive on the lattice, even after the search. */
        boolean lostForGood(int j) {
            return floatFooled[j] && !fooled[j];
        }
    }

    private LatticeRepair() {}

    static Repaired repair(AttackProblem p, NDArray adv, NDManager m) {
        ThreatModel tm = p.threat();
        boolean[] floatFooled = p.success(adv);
        NDArray nearest = Lattice.round(adv, p.x(), tm);
        boolean[] fooled = p.success(nearest);
        int n = floatFooled.length;
        int successes = 0;
        int lost = 0;
        for (int i = 0; i < n; i++) {
            successes += floatFooled[i] ? 1 : 0;
            lost += floatFooled[i] && !fooled[i] ? 1 : 0;
        }
        if (lost == 0) {
            return new Repaired(nearest, floatFooled, fooled, successes, lost, 0);
        }
        if (tm.norm() != Norm.LINF) {
            if (!p.model().differentiable()) {
                return new Repaired(nearest, floatFooled, fooled, successes, lost, 0); // a black box: no gradient to search along
            }
            return budgetSearch(p, adv, nearest, floatFooled, fooled, successes, lost, m);
        }
        float[] clean = p.x().toFloatArray();
        float[] a = adv.toFloatArray();
        float[] best = nearest.toFloatArray();
        int per = clean.length / n;
        int e = (int) Math.floor(tm.eps() * 255 + 1e-6);
        float[] outward = best.clone();
        for (int i = 0; i < n; i++) {
            if (!floatFooled[i] || fooled[i]) {
                continue;
            }
            for (int k = i * per; k < (i + 1) * per; k++) {
                int c = Math.round(clean[k] * 255);
                double v = a[k] * 255.0;
                int px = v > c ? (int) Math.ceil(v - 1e-6) : v < c ? (int) Math.floor(v + 1e-6) : c;
                outward[k] = Math.max(Math.max(0, c - e), Math.min(Math.min(255, c + e), px)) / 255f;
            }
        }
        int recovered = keepNewlyFooled(p, outward, adv, floatFooled, fooled, best, m);
        if (!p.model().differentiable()) {
            return new Repaired(m.create(best, adv.getShape()), floatFooled, fooled, successes, lost, recovered); // the searches need gradients
        }
        // a local search on the lattice for the rest: one grey level per value along the sign of the gradient
        recovered += search(p, p.objective(), outward, adv, floatFooled, fooled, best, lost - recovered, m, (cur, g, from, count, out) -> {
            for (int k = from; k < from + count; k++) {
                int c = Math.round(clean[k] * 255);
                int px = Math.round(cur[k] * 255) + (int) Math.signum(g[k]);
                out[k] = Math.max(Math.max(0, c - e), Math.min(Math.min(255, c + e), px)) / 255f;
            }
        });
        return new Repaired(m.create(best, adv.getShape()), floatFooled, fooled, successes, lost, recovered);
    }

    /**
     * L2 and L1: from the float example truncated toward the clean image (inside the ball: no offset grows), steps
     * of one grey level per value along the sign of the margin's gradient, chosen as a knapsack on the budget: every
     * move that does not grow the norm (toward the clean value) is taken, then the others by gradient magnitude per
     * unit of norm they cost (2|z| + 1 of the squared L2 norm, 1 of the L1 norm, z the value's offset in grey
     * levels) while the budget holds; values stay in 0..255.
     */
    private static Repaired budgetSearch(AttackProblem p, NDArray adv, NDArray nearest, boolean[] floatFooled, boolean[] fooled,
                                         int successes, int lost, NDManager m) {
        ThreatModel tm = p.threat();
        int n = floatFooled.length;
        float[] clean = p.x().toFloatArray();
        float[] best = nearest.toFloatArray();
        int per = clean.length / n;
        double budget = tm.norm() == Norm.L2 ? Math.pow(tm.eps() * 255, 2) : tm.eps() * 255; // in grey levels (squared for L2)
        // not from the nearest rounding scaled back into the ball, which gave up adversarial mass everywhere
        float[] a = adv.toFloatArray();
        float[] start = best.clone();
        for (int i = 0; i < n; i++) {
            if (floatFooled[i] && !fooled[i]) {
                for (int k = i * per; k < (i + 1) * per; k++) {
                    int c = Math.round(clean[k] * 255);
                    double d = a[k] * 255.0 - c;
                    start[k] = (c + (int) (d > 0 ? Math.floor(d + 1e-6) : Math.ceil(d - 1e-6))) / 255f;
                }
            }
        }
        // the margin's gradient: near the boundary it points at the decision itself, where cross-entropy's saturates
        var margin = p.withLoss(p.targeted() ? Loss.CW_TARGETED : Loss.CW).objective();
        int recovered = search(p, margin, start, adv, floatFooled, fooled, best, lost, m,
                (cur, g, from, count, out) -> knapsackStep(tm.norm(), budget, clean, cur, g, from, count, out));
        return new Repaired(m.create(best, adv.getShape()), floatFooled, fooled, successes, lost, recovered);
    }

    /** One image's move on the lattice: values [from, from + count) of {@code out}, from {@code current} and the gradient. */
    @FunctionalInterface
    private interface LatticeStep {
        void apply(float[] current, float[] g, int from, int count, float[] out);
    }

    /**
     * Up to {@link #SEARCH_STEPS} steps from {@code start} for the images still lost, each along the gradient of
     * {@code objective}; an image is kept in {@code best} the first time it fools the model. Returns how many did.
     */
    private static int search(AttackProblem p, io.advkit.attack.Objective objective, float[] start, NDArray adv, boolean[] floatFooled,
                              boolean[] fooled, float[] best, int stillLost, NDManager m, LatticeStep step) {
        int n = floatFooled.length;
        int per = start.length / n;
        float[] current = start;
        int recovered = 0;
        for (int t = 0; t < SEARCH_STEPS && recovered < stillLost; t++) {
            float[] g = Gradients.of(objective, m.create(current, adv.getShape()), m).gradient().toFloatArray();
            float[] next = current.clone();
            for (int i = 0; i < n; i++) {
                if (floatFooled[i] && !fooled[i]) {
                    step.apply(current, g, i * per, per, next);
                }
            }
            recovered += keepNewlyFooled(p, next, adv, floatFooled, fooled, best, m);
            current = next;
        }
        return recovered;
    }

    /** Copies into {@code best} each still-lost image that {@code tried} makes fool the model; returns how many. */
    private static int keepNewlyFooled(AttackProblem p, float[] tried, NDArray adv, boolean[] floatFooled, boolean[] fooled,
                                       float[] best, NDManager m) {
        int n = floatFooled.length;
        int per = tried.length / n;
        boolean[] ok = p.success(m.create(tried, adv.getShape()));
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (floatFooled[i] && !fooled[i] && ok[i]) {
                System.arraycopy(tried, i * per, best, i * per, per);
                fooled[i] = true;
                kept++;
            }
        }
        return kept;
    }

    /** One lattice step of one image (values [from, from + per)) that keeps its norm within the budget. */
    private static void knapsackStep(Norm norm, double budget, float[] clean, float[] current, float[] g, int from, int per, float[] out) {
        int[] c = new int[per];
        int[] z = new int[per];
        double used = 0;
        for (int k = 0; k < per; k++) {
            c[k] = Math.round(clean[from + k] * 255);
            z[k] = Math.round(current[from + k] * 255) - c[k];
            used += norm == Norm.L2 ? (double) z[k] * z[k] : Math.abs(z[k]);
        }
        Integer[] order = new Integer[per];
        double[] cost = new double[per];
        int moves = 0;
        for (int k = 0; k < per; k++) {
            int s = (int) Math.signum(g[from + k]);
            int v = c[k] + z[k] + s;
            if (s == 0 || v < 0 || v > 255) {
                continue;
            }
            int after = z[k] + s;
            cost[k] = norm == Norm.L2 ? (double) after * after - (double) z[k] * z[k] : Math.abs(after) - Math.abs(z[k]);
            order[moves++] = k;
        }
        Integer[] candidates = java.util.Arrays.copyOf(order, moves);
        // free moves first (they give budget back), then the best gain per unit of budget
        java.util.Arrays.sort(candidates, (a, b) -> Double.compare(rank(cost[a], g[from + a]), rank(cost[b], g[from + b])));
        for (int k : candidates) {
            if (used + cost[k] <= budget + 1e-9) {
                used += cost[k];
                z[k] += (int) Math.signum(g[from + k]);
            }
        }
        for (int k = 0; k < per; k++) {
            out[from + k] = (c[k] + z[k]) / 255f;
        }
    }

    /** Sort key: moves that cost nothing come first, then by decreasing |gradient| per unit of cost. */
    private static double rank(double cost, float g) {
        return cost <= 0 ? Double.NEGATIVE_INFINITY : -Math.abs(g) / cost;
    }
}

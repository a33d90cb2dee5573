package io.advkit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Gradients;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;

/**
 * Turns an attack's float adversarial examples into 8-bit images that still fool the model. Rounding to the nearest
 * lattice point inside the budget ({@link ThreatModel#toPixels}) loses the examples that sat just across the
 * boundary; for L∞ those are retried by rounding away from the clean image (every perturbed value to the far
 * integer, still within ⌊255ε⌋), then by up to {@link #SEARCH_STEPS} steps of one grey level along the sign of the
 * loss gradient on the lattice itself. Every verdict is the model's prediction on the rounded image.
 */
final class LatticeRepair {
    static final int SEARCH_STEPS = 10;

    /** The images as saved (floats on the lattice) and the counts of what rounding did to the attack's successes. */
    record Repaired(NDArray images, boolean[] fooled, int floatSuccesses, int lost, int recovered) {}

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
        if (lost == 0 || tm.norm() != Norm.LINF) {
            return new Repaired(nearest, fooled, successes, lost, 0);
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
        NDArray tried = m.create(outward, adv.getShape());
        boolean[] now = p.success(tried);
        int recovered = 0;
        for (int i = 0; i < n; i++) {
            if (floatFooled[i] && !fooled[i] && now[i]) {
                System.arraycopy(outward, i * per, best, i * per, per);
                fooled[i] = true;
                recovered++;
            }
        }
        // a local search on the lattice for the rest: one grey level per value along the sign of the gradient
        float[] current = outward;
        for (int step = 0; step < SEARCH_STEPS && recovered < lost; step++) {
            float[] g = Gradients.of(p.objective(), m.create(current, adv.getShape()), m).gradient().toFloatArray();
            float[] next = current.clone();
            for (int i = 0; i < n; i++) {
                if (!floatFooled[i] || fooled[i]) {
                    continue;
                }
                for (int k = i * per; k < (i + 1) * per; k++) {
                    int c = Math.round(clean[k] * 255);
                    int px = Math.round(current[k] * 255) + (int) Math.signum(g[k]);
                    next[k] = Math.max(Math.max(0, c - e), Math.min(Math.min(255, c + e), px)) / 255f;
                }
            }
            boolean[] ok = p.success(m.create(next, adv.getShape()));
            for (int i = 0; i < n; i++) {
                if (floatFooled[i] && !fooled[i] && ok[i]) {
                    System.arraycopy(next, i * per, best, i * per, per);
                    fooled[i] = true;
                    recovered++;
                }
            }
            current = next;
        }
        return new Repaired(m.create(best, adv.getShape()), fooled, successes, lost, recovered);
    }
}

package io.advkit.attack;

import java.util.Arrays;

/**
 * The Euclidean projection of a perturbation onto {z : ‖z‖₁ ≤ ε, 0 ≤ x + z ≤ 1}, the L1 ball intersected with the
 * pixel box (Croce and Hein 2021, "Mind the box"): projecting onto the ball and then clipping, as PGD does for L2,
 * would leave most of the L1 budget on pixels the box then cuts. The solution is a soft threshold with per-pixel
 * caps, z_i = sign(y_i)·clip(|y_i| − λ, 0, b_i), b_i the room toward the box in y_i's direction, and λ ≥ 0 the
 * smallest value that brings Σ clip(|y_i| − λ, 0, b_i) down to ε. That sum is piecewise linear in λ with breakpoints
 * |y_i| (a pixel enters) and |y_i| − b_i (a pixel leaves its cap), so λ is found exactly by walking the sorted
 * breakpoints.
 */
final class L1BoxProjection {
    private L1BoxProjection() {}

    /** The projection of perturbation {@code y} around the clean image {@code x} (both flattened, values of x in [0,1]). */
    static float[] project(float[] x, float[] y, double eps) {
        int d = y.length;
        float[] a = new float[d];
        float[] cap = new float[d];
        double capped = 0;
        for (int i = 0; i < d; i++) {
            a[i] = Math.abs(y[i]);
            cap[i] = y[i] >= 0 ? 1 - x[i] : x[i];
            capped += Math.min(a[i], cap[i]);
        }
        double lambda = 0;
        if (capped > eps) {
            lambda = threshold(a, cap, eps);
        }
        float[] z = new float[d];
        for (int i = 0; i < d; i++) {
            double v = Math.min(Math.max(a[i] - lambda, 0), cap[i]);
            z[i] = (float) (Math.signum(y[i]) * v);
        }
        return z;
    }

    /** λ > 0 with Σ clip(a_i − λ, 0, cap_i) = ε, given that the sum exceeds ε at λ = 0. */
    private static double threshold(float[] a, float[] cap, double eps) {
        int d = a.length;
        float[] enter = a.clone(); // above |y_i| a pixel adds nothing
        float[] leave = new float[d]; // below |y_i| − b_i it adds its whole cap
        for (int i = 0; i < d; i++) {
            leave[i] = a[i] - cap[i];
        }
        Arrays.sort(enter);
        Arrays.sort(leave);
        // walk λ downward from the largest breakpoint: the sum grows with slope `active` between breakpoints
        int e = d - 1;
        int l = d - 1;
        double lambda = enter[e];
        double sum = 0;
        int active = 0;
        while (e >= 0 || l >= 0) {
            double next = Math.max(e >= 0 ? enter[e] : Double.NEGATIVE_INFINITY, l >= 0 ? leave[l] : Double.NEGATIVE_INFINITY);
            next = Math.max(next, 0);
            double reached = sum + active * (lambda - next);
            if (reached >= eps && active > 0) {
                return lambda - (eps - sum) / active;
            }
            sum = reached;
            lambda = next;
            if (next == 0) {
                break;
            }
            if (e >= 0 && enter[e] >= (l >= 0 ? leave[l] : Double.NEGATIVE_INFINITY)) {
                active++;
                e--;
            } else {
                active--;
                l--;
            }
        }
        return 0; // not reached when the sum at λ = 0 exceeds ε; kept for rounding at the boundary
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Scalars;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Admix (Wang et al. ICCV 2021, "Admix: enhancing the transferability of adversarial attacks"): each of m2 draws
 * adds η times another image of the batch (a random permutation; held constant) to x, and each mixture is taken at
 * SI's m1 scales: the gradient is the mean over the m1·m2 copies γ_i·(x + η·x'). The label stays x's.
 */
public final class Admix implements InputCopies {
    private final int scales;
    private final int images;
    private final double strength;

    public Admix(int scales, int images, double strength) {
        this.scales = scales;
        this.images = images;
        this.strength = strength;
    }

    @Override
    public List<UnaryOperator<NDArray>> draw(NDArray x, Random rng, NDManager m) {
        int n = (int) x.getShape().get(0);
        List<UnaryOperator<NDArray>> out = new ArrayList<>();
        for (int j = 0; j < images; j++) {
            long[] perm = new long[n];
            for (int i = 0; i < n; i++) {
                perm[i] = i;
            }
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates from the attack's own generator: reproducible
                int k = rng.nextInt(i + 1);
                long t = perm[i];
                perm[i] = perm[k];
                perm[k] = t;
            }
            NDArray other = x.get(m.create(perm)).stopGradient().mul((float) strength);
            other.attach(m);
            for (int i = 0; i < scales; i++) {
                float scale = (float) Math.pow(0.5, i);
                out.add(xi -> Scalars.times(xi.add(other), scale)); // differentiated: no mul(Number)
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Admix(m1=" + scales + ", m2=" + images + ", eta=" + strength + ")";
    }
}

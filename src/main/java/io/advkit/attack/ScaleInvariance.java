package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Scalars;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * SI (Lin et al. ICLR 2020, "Nesterov accelerated gradient and scale invariance for adversarial attacks"): a
 * network gives nearly the same loss to x and to x scaled down, so the gradient is averaged over the copies
 * x / 2^i, i = 0..m−1 — a model ensemble for free.
 */
public final class ScaleInvariance implements InputCopies {
    private final int copies;

    public ScaleInvariance(int copies) {
        this.copies = copies;
    }

    @Override
    public List<UnaryOperator<NDArray>> draw(NDArray x, Random rng, NDManager m) {
        List<UnaryOperator<NDArray>> out = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            float scale = (float) Math.pow(0.5, i);
            out.add(i == 0 ? xi -> xi : xi -> Scalars.times(xi, scale)); // differentiated: no mul(Number)
        }
        return out;
    }

    @Override
    public String toString() {
        return "SI(m=" + copies + ")";
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * MI-FGSM's accumulated direction, one per run: g_{t+1} = μ·g_t + ∇/‖∇‖₁ (the gradient normalized per image
 * in L1, so that steps of different magnitude weigh alike).
 */
final class Momentum {
    private final double decay;
    private NDArray g; // null before the first step

    Momentum(double decay) {
        this.decay = decay;
    }

    /** The direction so far (null before the first step). */
    NDArray direction() {
        return g;
    }

    /** Adds a gradient and returns the new direction, kept across steps of {@code run}. */
    NDArray accumulate(IterativeAttack.Run<?> run, NDArray grad) {
        NDArray normalized = Norm.L1.normalize(grad);
        g = run.keep(g == null ? normalized : g.mul(decay).add(normalized), g);
        return g;
    }

    /** x + α·μ·g: where NI-FGSM and VNI-FGSM take their gradient. */
    NDArray lookAhead(NDArray x, double alpha) {
        return g == null ? x : x.add(g.mul(alpha * decay));
    }
}

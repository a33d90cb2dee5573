package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Fast Gradient Method (Goodfellow et al. 2015; FGSM for L∞): one step of the norm's steepest ascent of
 * size ε — x' = x + ε·sign(∇ₓL) for L∞, x + ε·∇/‖∇‖₂ for L2, all of ε on the largest-|∇| coordinate for L1.
 */
public final class FGM extends IterativeAttack {
    private final double eps;

    public FGM(double eps) {
        super(1, eps, false, 1);
        this.eps = eps;
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        return x.add(p.threat().step(gradient(p, x, step), eps));
    }

    @Override
    public String name() {
        return "fgm";
    }
}

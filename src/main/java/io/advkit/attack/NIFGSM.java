package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Nesterov Iterative FGSM (Lin et al. 2020): MI-FGSM whose gradient is taken at the look-ahead point
 * x_t + α·μ·g_t, so g_{t+1} = μ·g_t + ∇L(x_t + α·μ·g_t)/‖·‖₁ and x_{t+1} = Π(x_t + α·sign(g_{t+1})).
 */
public final class NIFGSM extends MIFGSM {
    public NIFGSM(int steps, double alpha, double decay) {
        super(steps, alpha, decay);
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        NDArray lookAhead = g == null ? x : x.add(g.mul(alpha * decay));
        g = keep(momentum(gradient(p, lookAhead, step)), g);
        return x.add(p.threat().step(g, alpha));
    }

    @Override
    public String name() {
        return "ni";
    }
}

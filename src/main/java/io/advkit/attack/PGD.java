package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Projected Gradient Descent (Madry et al. 2018): BIM from a uniformly random point of the ε-ball,
 * x_{t+1} = Π_{x,ε}(x_t + α·sign(∇ₓL(x_t))), with restarts keeping each image's best.
 */
public final class PGD extends IterativeAttack {
    public PGD(int steps, double alpha, int restarts) {
        super(steps, alpha, true, restarts);
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        return x.add(p.threat().step(gradient(p, x, step), alpha));
    }

    @Override
    public String name() {
        return "pgd";
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Basic Iterative Method / I-FGSM (Kurakin et al. 2017): from the clean image, T steps
 * x_{t+1} = Π_{x,ε}(x_t + α·sign(∇ₓL(x_t))).
 */
public final class BIM extends IterativeAttack {
    public BIM(int steps, double alpha) {
        super(steps, alpha, false, 1);
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        return x.add(p.threat().step(gradient(p, x, step), alpha));
    }

    @Override
    public String name() {
        return "bim";
    }
}

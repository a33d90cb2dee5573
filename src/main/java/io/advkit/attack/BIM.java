package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * Basic Iterative Method / I-FGSM (Kurakin et al. 2017): from the clean image, T steps
 * x_{t+1} = Π_{x,ε}(x_t + α·sign(∇ₓL(x_t))), α = ε/T by default.
 */
public final class BIM extends IterativeAttack<Void> {
    public BIM(int steps, StepSize alpha, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
    }

    @Override
    protected String rule() {
        return "bim";
    }

    @Override
    protected NDArray update(Run<Void> r, NDArray x) {
        return x.add(r.step(r.gradient(x)));
    }
}

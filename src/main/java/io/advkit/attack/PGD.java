package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * Projected Gradient Descent (Madry et al. 2018): BIM from a uniformly random point of the ε-ball,
 * x_{t+1} = Π_{x,ε}(x_t + α·sign(∇ₓL(x_t))). Restarts keeping each image's best are {@link Restarts}.
 */
public final class PGD extends IterativeAttack<Void> {
    /** α = 2.5·ε/steps: Madry et al.'s choice, which lets the walk cross the ball from any start. */
    public static final double DEFAULT_STEP_TIMES_STEPS = 2.5;

    public PGD(int steps, StepSize alpha, GradientPipeline pipeline) {
        super(steps, alpha, true, pipeline);
    }

    /** PGD with the default step 2.5·ε/steps. */
    public static PGD withDefaultStep(int steps) {
        return new PGD(steps, StepSize.ofEps(DEFAULT_STEP_TIMES_STEPS / steps), GradientPipeline.PLAIN);
    }

    @Override
    protected String rule() {
        return "pgd";
    }

    @Override
    protected NDArray update(Run<Void> r, NDArray x) {
        return x.add(r.step(r.gradient(x)));
    }
}

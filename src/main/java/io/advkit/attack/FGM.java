package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * Fast Gradient Method (Goodfellow et al. 2015; FGSM for L∞): one step of the norm's steepest ascent of
 * size ε — x' = x + ε·sign(∇ₓL) for L∞, x + ε·∇/‖∇‖₂ for L2, all of ε on the largest-|∇| coordinate for L1.
 */
public final class FGM extends IterativeAttack<Void> {
    public FGM(GradientPipeline pipeline) {
        super(1, StepSize.ofEps(1), false, pipeline);
    }

    public FGM() {
        this(GradientPipeline.PLAIN);
    }

    @Override
    protected String rule() {
        return "fgm";
    }

    @Override
    protected NDArray update(Run<Void> r, NDArray x) {
        return x.add(r.step(r.gradient(x)));
    }
}

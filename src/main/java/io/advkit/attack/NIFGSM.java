package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * Nesterov Iterative FGSM (Lin et al. 2020): MI-FGSM whose gradient is taken at the look-ahead point
 * x_t + α·μ·g_t, so g_{t+1} = μ·g_t + ∇L(x_t + α·μ·g_t)/‖·‖₁ and x_{t+1} = Π(x_t + α·sign(g_{t+1})).
 */
public final class NIFGSM extends IterativeAttack<Momentum> {
    private final double decay;

    public NIFGSM(int steps, StepSize alpha, double decay, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
        this.decay = MIFGSM.requireDecay(decay);
    }

    @Override
    protected String rule() {
        return "ni";
    }

    @Override
    protected Momentum begin(Run<Momentum> r) {
        return new Momentum(decay);
    }

    @Override
    protected NDArray update(Run<Momentum> r, NDArray x) {
        Momentum m = r.state();
        NDArray g = m.accumulate(r, r.gradient(m.lookAhead(x, r.alpha())));
        return x.add(r.step(g));
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("decay", decay);
    }
}

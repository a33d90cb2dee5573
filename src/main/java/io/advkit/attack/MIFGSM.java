package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * Momentum Iterative FGSM (Dong et al. 2018): accumulate the L1-normalized gradient with decay μ,
 * g_{t+1} = μ·g_t + ∇ₓL(x_t)/‖∇ₓL(x_t)‖₁, and step along its sign, x_{t+1} = Π(x_t + α·sign(g_{t+1})).
 */
public final class MIFGSM extends IterativeAttack<Momentum> {
    private final double decay;

    public MIFGSM(int steps, StepSize alpha, double decay, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
        this.decay = requireDecay(decay);
    }

    static double requireDecay(double decay) {
        if (!(decay >= 0)) {
            throw UserError.invalid("decay", "the momentum decay μ must be ≥ 0, got " + decay);
        }
        return decay;
    }

    @Override
    protected String rule() {
        return "mi";
    }

    @Override
    protected Momentum begin(Run<Momentum> r) {
        return new Momentum(decay);
    }

    @Override
    protected NDArray update(Run<Momentum> r, NDArray x) {
        NDArray g = r.state().accumulate(r, r.gradient(x));
        return x.add(r.step(g));
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("decay", decay);
    }
}

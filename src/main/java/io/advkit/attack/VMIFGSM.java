package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * Variance-tuned MI-FGSM (Wang and He 2021): the momentum accumulates the gradient corrected by the
 * previous step's variance v_t,
 * g_{t+1} = μ·g_t + (ĝ + v_t)/‖ĝ + v_t‖₁ with ĝ = ∇L(x_t), then
 * v_{t+1} = (1/N)·Σᵢ ∇L(x_t + rᵢ) − ĝ, rᵢ ~ U(−β·ε, β·ε). With {@code nesterov} the gradient ĝ is taken at
 * the look-ahead point (VNI-FGSM).
 */
public final class VMIFGSM extends IterativeAttack<VMIFGSM.State> {
    private final double decay;
    private final int samples;
    private final double beta;
    private final boolean nesterov;

    /** A run's momentum and variance. */
    static final class State {
        final Momentum momentum;
        NDArray v; // null before the first step

        State(double decay) {
            momentum = new Momentum(decay);
        }
    }

    public VMIFGSM(int steps, StepSize alpha, double decay, int samples, double beta, boolean nesterov, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
        if (samples < 1 || !(beta >= 0)) {
            throw UserError.invalid("vmi samples", "VMI needs at least 1 neighbourhood sample and a radius β ≥ 0, got " + samples + " and " + beta);
        }
        this.decay = MIFGSM.requireDecay(decay);
        this.samples = samples;
        this.beta = beta;
        this.nesterov = nesterov;
    }

    @Override
    protected String rule() {
        return nesterov ? "vni" : "vmi";
    }

    @Override
    protected State begin(Run<State> r) {
        return new State(decay);
    }

    @Override
    protected NDArray update(Run<State> r, NDArray x) {
        State s = r.state();
        NDArray gHat = r.gradient(nesterov ? s.momentum.lookAhead(x, r.alpha()) : x);
        NDArray g = s.momentum.accumulate(r, s.v == null ? gHat : gHat.add(s.v));
        float radius = (float) (beta * r.problem().threat().eps());
        NDArray sum = null;
        for (int i = 0; i < samples; i++) {
            NDArray gi = r.gradient(x.add(r.manager().randomUniform(-radius, radius, x.getShape())));
            sum = sum == null ? gi : sum.add(gi);
        }
        s.v = r.keep(sum.div(samples).sub(gHat), s.v);
        return x.add(r.step(g));
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("decay", decay).and("samples", samples).and("beta", beta);
    }
}

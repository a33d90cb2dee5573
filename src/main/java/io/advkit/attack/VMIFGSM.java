package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * Variance-tuned MI-FGSM (Wang and He 2021): the momentum accumulates the gradient corrected by the
 * previous step's variance v_t,
 * g_{t+1} = μ·g_t + (ĝ + v_t)/‖ĝ + v_t‖₁ with ĝ = ∇L(x_t), then
 * v_{t+1} = (1/N)·Σᵢ ∇L(x_t + rᵢ) − ĝ, rᵢ ~ U(−β·ε, β·ε). With {@code nesterov} the gradient ĝ is taken at
 * the look-ahead point (VNI-FGSM).
 */
public final class VMIFGSM extends MIFGSM {
    private final int samples;
    private final double beta;
    private final double eps;
    private final boolean nesterov;
    private NDArray v;

    public VMIFGSM(int steps, double alpha, double decay, int samples, double beta, double eps, boolean nesterov) {
        super(steps, alpha, decay);
        this.samples = samples;
        this.beta = beta;
        this.eps = eps;
        this.nesterov = nesterov;
    }

    @Override
    protected void begin(AttackProblem p) {
        super.begin(p);
        v = null;
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        NDArray at = nesterov && g != null ? x.add(g.mul(alpha * decay)) : x;
        NDArray gHat = gradient(p, at, step);
        g = keep(momentum(v == null ? gHat : gHat.add(v)), g);
        NDArray sum = null;
        for (int i = 0; i < samples; i++) {
            NDArray r = x.getManager().randomUniform((float) (-beta * eps), (float) (beta * eps), x.getShape());
            NDArray gi = gradient(p, x.add(r), step);
            sum = sum == null ? gi : sum.add(gi);
        }
        v = keep(sum.div(samples).sub(gHat), v);
        return x.add(p.threat().step(g, alpha));
    }

    @Override
    public String name() {
        return nesterov ? "vni" : "vmi";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = super.config();
        m.put("samples", samples);
        m.put("beta", beta);
        return m;
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * Momentum Iterative FGSM (Dong et al. 2018): accumulate the L1-normalized gradient with decay μ,
 * g_{t+1} = μ·g_t + ∇ₓL(x_t)/‖∇ₓL(x_t)‖₁, and step along its sign, x_{t+1} = Π(x_t + α·sign(g_{t+1})).
 */
public class MIFGSM extends IterativeAttack {
    protected final double decay;
    protected NDArray g;

    public MIFGSM(int steps, double alpha, double decay) {
        super(steps, alpha, false, 1);
        this.decay = decay;
    }

    @Override
    protected void begin(AttackProblem p) {
        g = null;
    }

    @Override
    protected NDArray update(AttackProblem p, NDArray x, int t, NDManager step) {
        NDArray grad = gradient(p, x, step);
        g = keep(momentum(grad), g);
        return x.add(p.threat().step(g, alpha));
    }

    /** μ·g + ∇/‖∇‖₁. */
    protected NDArray momentum(NDArray grad) {
        NDArray normalized = grad.div(l1(grad).add(1e-12f));
        return g == null ? normalized : g.mul(decay).add(normalized);
    }

    @Override
    public String name() {
        return "mi";
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = super.config();
        m.put("decay", decay);
        return m;
    }
}

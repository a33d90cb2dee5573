package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.List;

/**
 * Common Weakness Attack, MI-CWA (Chen et al., ICLR 2024): an example that fools an ensemble's members at a point
 * where their losses are flat and their gradients agree is the one that transfers. Each step first steps back from
 * the ensemble's gradient, x_r = Π(x_t − r·sign(∇L_ens(x_t))) (sharpness-aware: the rest of the step is judged in a
 * neighbourhood, not at a point), then walks the members one after another from x̃ = x_r with a momentum of their
 * L2-normalized gradients, m ← μ·m + ∇L_k(x̃)/‖∇L_k(x̃)‖₂, x̃ ← Π(x̃ + β·m) (consecutive members pull along
 * the direction they share: the cosine-similarity encourager), and takes MI-FGSM's step along where that walk went:
 * G ← μ·G + (x̃ − x_t)/‖x̃ − x_t‖₁, x_{t+1} = Π(x_t + α·sign(G)). A step costs the ensemble's gradient and one of
 * each member, twice an MI step's.
 *
 * <p>Relative to ε, as the rest of advkit: r = {@code reverse}·ε (the reference's 16/255/15 at ε = 16/255: 0.0667) and β =
 * {@code inner} times the largest L2 norm in the ε-ball (ε·√d in L∞): the reference's 250 at ε = 16/255 on 224×224
 * images is 10.3 of those, a walk that reaches the ball's boundary in one member's step. The inner momentum carries
 * over from step to step, as in both reference implementations; G is normalized per image (the reference divides
 * by the whole batch's L1 norm, which makes an image's steps depend on the others in its batch). Members weigh their
 * ensemble weight (K·w_k times the normalized gradient, 1 for equal weights), so {@code --balance-families} carries
 * over.
 */
public final class CWA extends IterativeAttack<CWA.State> {
    private final double decay;
    private final double reverse;
    private final double inner;

    /**
     * @param reverse r, the step back, as a multiple of ε
     * @param inner   β, the members' walk step, as a multiple of the ε-ball's largest L2 norm
     */
    public CWA(int steps, StepSize alpha, double decay, double reverse, double inner, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
        if (!(reverse >= 0) || !(inner > 0)) {
            throw UserError.invalid("cwa", "CWA's step back (times ε) must be ≥ 0 and its inner step (times the ε-ball's "
                    + "largest L2 norm) > 0, got " + reverse + " and " + inner);
        }
        this.decay = MIFGSM.requireDecay(decay);
        this.reverse = reverse;
        this.inner = inner;
    }

    /** The outer momentum G and the members' momentum m, both kept from step to step. */
    static final class State {
        final Momentum outer;
        NDArray walk; // m; null before the first member's gradient

        State(double decay) {
            this.outer = new Momentum(decay);
        }
    }

    @Override
    protected String rule() {
        return "cwa";
    }

    @Override
    protected State begin(Run<State> r) {
        return new State(decay);
    }

    @Override
    protected NDArray update(Run<State> r, NDArray x) {
        AttackProblem p = r.problem();
        ThreatModel tm = p.threat();
        List<? extends Classifier> members = p.model().members();
        float[] weights = p.model().memberWeights();
        State s = r.state();

        NDArray back = tm.project(x.sub(tm.step(r.gradient(x), reverse * tm.eps())), p.x());
        double beta = inner * largestL2(tm, x);
        NDArray walked = back;
        NDArray m = s.walk;
        for (int k = 0; k < members.size(); k++) {
            NDArray g = Norm.L2.normalize(r.gradient(walked, members.get(k))).mul(members.size() * weights[k]);
            m = m == null ? g : m.mul(decay).add(g);
            walked = tm.project(walked.add(m.mul(beta)), p.x());
        }
        s.walk = r.keep(m, s.walk);
        return x.add(r.step(s.outer.accumulate(r, walked.sub(x))));
    }

    /** The largest L2 norm of a perturbation in the ε-ball: ε·√d in L∞ (a corner), ε in L2 and L1. */
    private static double largestL2(ThreatModel tm, NDArray x) {
        return tm.norm() == Norm.LINF ? tm.eps() * Math.sqrt(x.getShape().size() / x.getShape().get(0)) : tm.eps();
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("decay", decay).and("cwa_reverse", reverse).and("cwa_inner", inner);
    }
}

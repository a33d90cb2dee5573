package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.List;
import java.util.Random;

/**
 * Stochastic Variance Reduced Ensemble attack (Xiong et al., CVPR 2022): an ensemble's gradient over-fits the
 * ensemble; SVRE corrects each step toward what its members agree on. With g_ens = ∇L_ens(x_t), an inner loop of M
 * steps from x̃ = x_t draws one member k and takes the variance-reduced gradient
 * g = ∇L_k(x̃) − ∇L_k(x_t) + g_ens, accumulating G̃ ← μ·G̃ + g/‖g‖₁ and stepping x̃ ← Π(x̃ + α·sign(G̃)); the outer
 * step is MI-FGSM's along the inner loop's final direction: G ← μ·G + G̃/‖G̃‖₁, x_{t+1} = x_t + α·sign(G).
 * Members are drawn in proportion to their weights (uniformly unless weighted, as in the paper); M = 4 per member by
 * default, as in the paper. ∇L_k(x_t) is taken once per member and outer step (the reference recomputes it at every
 * inner step: the same correction in expectation, at two thirds of the cost).
 */
public final class SVRE extends IterativeAttack<Momentum> {
    private final double decay;
    private final int innerSteps;

    /** @param innerSteps M; 0 for 4 per ensemble member */
    public SVRE(int steps, StepSize alpha, double decay, int innerSteps, GradientPipeline pipeline) {
        super(steps, alpha, false, pipeline);
        if (innerSteps < 0) {
            throw UserError.invalid("svre inner", "SVRE's inner steps must be ≥ 1 (or 0 for 4 per member), got " + innerSteps);
        }
        this.decay = MIFGSM.requireDecay(decay);
        this.innerSteps = innerSteps;
    }

    @Override
    protected String rule() {
        return "svre";
    }

    @Override
    public void requireUsableOn(Classifier model) {
        super.requireUsableOn(model);
        if (model.members().size() < 2) {
            throw UserError.invalid("attack", "svre corrects an ensemble's gradient with its members' own; " + model.name()
                    + " is one model: give two or more surrogates");
        }
    }

    @Override
    protected Momentum begin(Run<Momentum> r) {
        return new Momentum(decay);
    }

    @Override
    protected NDArray update(Run<Momentum> r, NDArray x) {
        AttackProblem p = r.problem();
        List<? extends Classifier> members = p.model().members();
        float[] weights = p.model().memberWeights();
        NDArray ensemble = r.gradient(x);
        NDArray[] atX = new NDArray[members.size()]; // ∇L_k(x_t), once member k is first drawn
        NDArray inner = x;
        NDArray innerDirection = null;
        int m = innerSteps > 0 ? innerSteps : 4 * members.size();
        for (int i = 0; i < m; i++) {
            int k = draw(weights, p.rng());
            Classifier member = members.get(k);
            if (atX[k] == null) {
                atX[k] = r.gradient(x, member);
            }
            NDArray g = r.gradient(inner, member).sub(atX[k]).add(ensemble);
            NDArray normalized = Norm.L1.normalize(g);
            innerDirection = innerDirection == null ? normalized : innerDirection.mul(decay).add(normalized);
            inner = p.threat().project(inner.add(r.step(innerDirection)), p.x());
        }
        return x.add(r.step(r.state().accumulate(r, innerDirection)));
    }

    /** A member index drawn in proportion to the weights. */
    private static int draw(float[] weights, Random rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int k = 0; k < weights.length; k++) {
            acc += weights[k];
            if (u < acc) {
                return k;
            }
        }
        return weights.length - 1; // the weights' rounding
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("decay", decay).and("svre_inner", innerSteps); // 0: 4 per member
    }
}

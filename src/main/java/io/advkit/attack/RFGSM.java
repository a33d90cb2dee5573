package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * R+FGSM (Tramèr et al. 2018, "Ensemble adversarial training"): a random sign step of size α first, to leave the
 * sharp curvature around the data point that fools single-step attacks, then an FGSM step of the rest of the budget:
 * x' = x + α·sign(N(0, I)), x_adv = Π(x' + (ε − α)·sign(∇ₓL(x'))), α = ε/2 by default.
 */
public final class RFGSM extends IterativeAttack<Void> {
    private final double randomFraction;

    /** @param randomFraction α/ε, the share of the budget spent on the random step */
    public RFGSM(double randomFraction, GradientPipeline pipeline) {
        super(1, StepSize.ofEps(1 - randomFraction), false, pipeline);
        this.randomFraction = randomFraction;
    }

    @Override
    protected String rule() {
        return "rfgsm";
    }

    @Override
    protected NDArray update(Run<Void> r, NDArray x) {
        ThreatModel tm = r.problem().threat();
        NDArray start = x.add(tm.step(r.manager().randomNormal(x.getShape()), randomFraction * tm.eps()));
        return start.add(r.step(r.gradient(start)));
    }

    @Override
    protected Params ruleParams(Params p) {
        return p.and("random_step_over_eps", randomFraction);
    }
}

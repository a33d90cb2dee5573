package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.model.BackwardShaping;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;

/**
 * ILA (Huang et al. ICCV 2019, "Enhancing adversarial example transferability with an intermediate level attack"):
 * a second stage that fine-tunes a baseline example x' at an intermediate layer l. With the direction
 * d = F_l(x') − F_l(x) fixed, it ascends the projection (F_l(x'') − F_l(x)) · d from x'' = x' by sign steps inside
 * the ε-ball: the perturbation of the features grows along the direction the baseline found, which transfers
 * better than the surrogate's own decision boundary. For an ensemble the projections of all members are summed.
 * The layer is the input of stage {@code stage} (the previous stage's output).
 */
public final class ILA implements Attack {
    private final Attack baseline;
    private final int stage;
    private final int steps;
    private final double stepTimesEps;

    /** {@code stepTimesEps}: each sign step is this fraction of ε. */
    public ILA(Attack baseline, int stage, int steps, double stepTimesEps) {
        this.baseline = baseline;
        this.stage = stage;
        this.steps = steps;
        this.stepTimesEps = stepTimesEps;
    }

    @Override
    public String name() {
        return baseline.name() + "-ila";
    }

    /** The direction of one network's layer is compared with the same network's layer in every step. */
    @Override
    public void requireUsableOn(Classifier model) {
        baseline.requireUsableOn(model);
        if (model.variesPerGradient()) {
            throw UserError.invalid("attack", "ila compares a layer of the same networks in every step, but " + model.name()
                    + " attacks another network per gradient (a collection attacked in turn); leave -ila out");
        }
    }

    @Override
    public NDArray run(AttackProblem p) {
        requireUsableOn(p.model());
        // the baseline takes the first half of the progress bar, the fine-tuning the second
        NDArray start = baseline.run(p.withProgress(f -> p.progress().accept(f / 2)));
        Classifier model = p.model();
        ThreatModel tm = p.threat();
        double a = stepTimesEps * tm.eps();
        try (NDManager run = p.manager().newSubManager()) {
            List<NDArray> clean = features(model, p.x(), run);
            List<NDArray> direction = new ArrayList<>();
            List<NDArray> adv = features(model, start, run);
            for (int k = 0; k < clean.size(); k++) {
                direction.add(adv.get(k).sub(clean.get(k)));
            }
            NDArray x = start;
            for (int t = 0; t < steps; t++) {
                try (NDManager step = run.newSubManager()) {
                    NDArray g = Gradients.of(xi -> projection(model, xi, clean, direction), x, step).gradient();
                    NDArray next = tm.project(x.add(tm.step(g, a)), p.x());
                    next.attach(run);
                    x = next;
                }
                p.progress().accept(0.5 + 0.5 * (t + 1) / steps);
            }
            x.attach(p.manager());
            return x;
        }
    }

    /** Σ over members of (F_l(x) − F_l(clean)) · d, per image. */
    private NDArray projection(Classifier model, NDArray x, List<NDArray> clean, List<NDArray> direction) {
        List<NDArray> f = BackwardShaping.capturing(stage, () -> model.logits(x)).features();
        NDArray sum = null;
        for (int k = 0; k < f.size(); k++) {
            NDArray pk = f.get(k).sub(clean.get(k)).mul(direction.get(k)).reshape(x.getShape().get(0), -1).sum(new int[] {1});
            sum = sum == null ? pk : sum.add(pk);
        }
        return sum;
    }

    private List<NDArray> features(Classifier model, NDArray x, NDManager m) {
        List<NDArray> out = new ArrayList<>();
        for (NDArray f : BackwardShaping.capturing(stage, () -> model.logits(x)).features()) {
            NDArray c = f.stopGradient();
            c.attach(m);
            out.add(c);
        }
        return out;
    }

    @Override
    public Params params() {
        return baseline.params().and("attack", name()).and("ila_stage", stage).and("ila_steps", steps)
                .and("ila_step_times_eps", stepTimesEps);
    }
}

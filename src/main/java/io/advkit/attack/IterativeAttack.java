package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.model.BackwardShaping;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.Random;

/**
 * The loop every iterative gradient attack shares (after Foolbox's single base): an optional random start,
 * then {@code steps} updates, each followed by the projection onto the problem's threat model. Subclasses
 * write only {@link #update}, which reads like their paper's update rule; state kept between steps (momentum,
 * variance) lives in a per-run object of type {@code S} that {@link #begin} creates, so the attack itself is
 * immutable and reentrant. Restarts are a wrapper ({@link Restarts}); input diversity and gradient filters
 * plug in through the {@link GradientPipeline}, so MI, NI, VMI, DI and TI compose freely ("mi-di-ti").
 *
 * @param <S> the per-run state ({@code Void} for stateless rules)
 */
public abstract class IterativeAttack<S> implements Attack {
    protected final int steps;
    protected final StepSize stepSize;
    protected final boolean randomStart;
    protected final GradientPipeline pipeline;

    /**
     * @param steps       number of updates
     * @param stepSize    α, resolved against ε when the attack runs
     * @param randomStart start from a uniform point of the ε-ball instead of the clean image
     */
    protected IterativeAttack(int steps, StepSize stepSize, boolean randomStart, GradientPipeline pipeline) {
        if (steps < 1) {
            throw UserError.invalid("steps", "an iterative attack needs at least 1 step, got " + steps);
        }
        this.steps = steps;
        this.stepSize = stepSize;
        this.randomStart = randomStart;
        this.pipeline = pipeline;
    }

    /** The update rule's own name ("mi"); {@link #name} adds the pipeline's parts ("mi-di-ti"). */
    protected abstract String rule();

    /** The per-run state at the start of a run (null for stateless rules). */
    protected S begin(Run<S> run) {
        return null;
    }

    /** The next iterate before projection. */
    protected abstract NDArray update(Run<S> run, NDArray x);

    /** The rule's own hyper-parameters beyond steps, step size and start (momentum decay, samples...). */
    protected Params ruleParams(Params p) {
        return p;
    }

    @Override
    public final String name() {
        return rule() + pipeline.suffix();
    }

    @Override
    public final NDArray run(AttackProblem p) {
        ThreatModel tm = p.threat();
        try (AttackScope scope = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            Run<S> run = new Run<>(p, scope, pipeline, stepSize.at(tm.eps()));
            NDArray x;
            try (NDManager step = scope.openStep()) {
                run.step = step;
                x = scope.keep(randomStart && tm.eps() > 0 ? tm.randomStart(p.x()) : p.x().duplicate(), null);
                run.state = begin(run);
            }
            scope.endStep();
            // ε = 0 leaves nothing to search: the clean image is the only point of the ball
            for (int t = 0; t < steps && tm.eps() > 0; t++) {
                try (NDManager step = scope.openStep()) {
                    run.step = step;
                    run.t = t;
                    x = scope.keep(tm.project(update(run, x), p.x()), x);
                }
                scope.endStep();
                p.progress().accept((t + 1.0) / steps);
            }
            return scope.release(x, p.manager());
        }
    }

    @Override
    public Params params() {
        Params p = stepSize.describe(Params.of("attack", name()).and("steps", steps)).and("random_start", randomStart);
        return pipeline.describe(ruleParams(p));
    }

    /**
     * One run of the attack on one problem: what {@link #update} works with. Arrays computed in an update live
     * in the current step and are freed after it, unless {@link #keep kept}.
     */
    protected static final class Run<S> {
        private final AttackProblem problem;
        private final AttackScope scope;
        private final GradientPipeline pipeline;
        private final double alpha;
        private NDManager step;
        private int t;
        private S state;

        Run(AttackProblem problem, AttackScope scope, GradientPipeline pipeline, double alpha) {
            this.problem = problem;
            this.scope = scope;
            this.pipeline = pipeline;
            this.alpha = alpha;
        }

        /**
         * ∇ of the objective at x: the mean over the input's copies (SI, Admix; x alone by default), each through the
         * input transform (DI) and the surrogate's reshaped backward (SGM, LinBP) and averaged over the model's random
         * draws when it asks for EoT; then the gradient filter (TI).
         */
        public NDArray gradient(NDArray x) {
            return gradient(x, problem.objective(), problem.model().gradientSamples(), true);
        }

        /**
         * The same for one member of the ensemble ({@code samples} draws for EoT), for an attack that differentiates
         * the members one at a time (SVRE). The pipeline's backward rules were checked on the whole ensemble: a member
         * they cannot reach (SGM on a ShuffleNet) gives its plain gradient, as it does inside the ensemble.
         */
        public NDArray gradient(NDArray x, Classifier member) {
            return gradient(x, problem.objectiveOf(member), member.gradientSamples(), false);
        }

        private NDArray gradient(NDArray x, Objective f, int samples, boolean refuseUnreached) {
            Random rng = problem.rng();
            NDArray sum = null;
            var copies = pipeline.copies().draw(x, rng, step);
            for (var copy : copies) {
                Objective transformed = xi -> BackwardShaping.during(pipeline.backward(), rng,
                        () -> f.value(pipeline.inputTransform().apply(copy.apply(xi), rng)), refuseUnreached);
                NDArray g = Gradients.averaged(transformed, x, step, samples).gradient();
                sum = sum == null ? g : sum.add(g);
            }
            return pipeline.filter().apply(copies.size() == 1 ? sum : sum.div(copies.size()));
        }

        /** The norm's steepest-ascent step of length α along {@code direction}. */
        public NDArray step(NDArray direction) {
            return problem.threat().step(direction, alpha);
        }

        /** Keeps {@code next} beyond the current step, freeing {@code old} (may be null) after it. */
        public NDArray keep(NDArray next, NDArray old) {
            return scope.keep(next, old);
        }

        public AttackProblem problem() {
            return problem;
        }

        /** The step size α of this run, in [0,1] units. */
        public double alpha() {
            return alpha;
        }

        /** The current step's index, from 0. */
        public int t() {
            return t;
        }

        public S state() {
            return state;
        }

        /** The current step's manager (for arrays created from scratch, such as random draws). */
        public NDManager manager() {
            return step;
        }
    }
}

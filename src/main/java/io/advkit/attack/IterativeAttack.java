package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The loop every iterative gradient attack shares (after Foolbox's single base): optional random start,
 * {@code steps} updates each followed by projection onto the threat model, restarts that keep each image's
 * best result. Subclasses write only {@link #update}, which reads like their paper's update rule, and keep
 * any state (momentum) between steps with {@link #keep}. Input diversity and gradient smoothing plug in
 * through {@link #gradient}, so MI, NI, VMI, DI and TI compose freely ("mi-di-ti").
 *
 * <p>Native memory is managed by {@link AttackScope}: per-step managers, and only kept state survives a step.
 */
public abstract class IterativeAttack implements Attack {
    protected final int steps;
    protected final double alpha;
    protected final boolean randomStart;
    protected final int restarts;
    private InputTransform inputTransform = InputTransform.IDENTITY;
    private GradientFilter gradientFilter = GradientFilter.IDENTITY;
    private AttackScope scope;

    /**
     * @param steps       number of updates
     * @param alpha       step size on the [0,1] scale
     * @param randomStart start from a uniform point of the ε-ball instead of the clean image
     * @param restarts    independent runs; each image keeps its best (fooling first, then highest loss)
     */
    protected IterativeAttack(int steps, double alpha, boolean randomStart, int restarts) {
        if (steps < 1 || restarts < 1 || !(alpha > 0)) {
            throw new io.advkit.util.UserError("attack needs steps >= 1, restarts >= 1 and a positive step size");
        }
        this.steps = steps;
        this.alpha = alpha;
        this.randomStart = randomStart;
        this.restarts = restarts;
    }

    public IterativeAttack withInputTransform(InputTransform t) {
        this.inputTransform = t;
        return this;
    }

    public IterativeAttack withGradientFilter(GradientFilter f) {
        this.gradientFilter = f;
        return this;
    }

    /** The next iterate before projection. */
    protected abstract NDArray update(AttackProblem p, NDArray xAdv, int t, NDManager step);

    /** Resets per-run state (momentum, variance) at the start of each restart. */
    protected void begin(AttackProblem p) {}

    @Override
    public NDArray run(AttackProblem p) {
        NDArray best = null;
        float[] bestLoss = null;
        boolean[] bestFooled = null;
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            scope = s;
            for (int r = 0; r < restarts; r++) {
                begin(p);
                NDArray xAdv;
                try (NDManager step = s.openStep()) {
                    xAdv = s.keep(randomStart ? p.threat().randomStart(p.x()) : p.x().duplicate(), null);
                }
                s.endStep();
                for (int t = 0; t < steps; t++) {
                    try (NDManager step = s.openStep()) {
                        xAdv = s.keep(p.threat().project(update(p, xAdv, t, step), p.x()), xAdv);
                    }
                    s.endStep();
                }
                if (restarts == 1) {
                    best = xAdv;
                    break;
                }
                try (NDManager step = s.openStep()) {
                    float[] loss = p.objective().value(xAdv).toFloatArray();
                    boolean[] fooled = p.success(xAdv);
                    if (best == null) {
                        best = xAdv;
                        bestLoss = loss;
                        bestFooled = fooled;
                    } else {
                        float[] better = new float[loss.length];
                        for (int i = 0; i < loss.length; i++) {
                            boolean take = (fooled[i] && !bestFooled[i]) || (fooled[i] == bestFooled[i] && loss[i] > bestLoss[i]);
                            if (take) {
                                better[i] = 1;
                                bestLoss[i] = loss[i];
                                bestFooled[i] = fooled[i];
                            }
                        }
                        NDArray mask = step.create(better).reshape(loss.length, 1, 1, 1);
                        NDArray merged = xAdv.mul(mask).add(best.mul(mask.neg().add(1f)));
                        s.retire(xAdv);
                        best = s.keep(merged, best);
                    }
                }
                s.endStep();
            }
            scope = null;
            return s.release(best, p.manager());
        }
    }

    /** Keeps {@code next} beyond the current step, freeing {@code old} (state such as momentum). */
    protected NDArray keep(NDArray next, NDArray old) {
        return scope.keep(next, old);
    }

    /**
     * ∇ of the objective at xAdv: through the input transform (DI), then the gradient filter (TI), averaged
     * over the model's random draws when it asks for EoT. Lives in {@code step}.
     */
    protected NDArray gradient(AttackProblem p, NDArray xAdv, NDManager step) {
        Objective f = p.objective();
        Objective transformed = x -> f.value(inputTransform.apply(x, p.rng()));
        return gradientFilter.apply(Gradients.averaged(transformed, xAdv, step, p.model().gradientSamples()).gradient());
    }

    /** Per-image L1 norm, shaped for broadcasting (MI-FGSM's gradient normalization). */
    protected static NDArray l1(NDArray g) {
        long n = g.getShape().get(0);
        return g.abs().reshape(n, -1).sum(new int[] {1}).reshape(n, 1, 1, 1);
    }

    protected static NDArray zerosLike(NDArray x) {
        return x.getManager().zeros(x.getShape(), DataType.FLOAT32);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attack", name());
        m.put("steps", steps);
        m.put("alpha", alpha);
        m.put("alpha_255", alpha * 255);
        m.put("random_start", randomStart);
        m.put("restarts", restarts);
        if (inputTransform != InputTransform.IDENTITY) {
            m.put("input_diversity", inputTransform.toString());
        }
        if (gradientFilter != GradientFilter.IDENTITY) {
            m.put("translation_invariance", gradientFilter.toString());
        }
        return m;
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Loss;
import io.advkit.attack.PGD;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PGD adversarial training (Madry et al. 2018): minimize CE(f(x'), y) where x' is a K-step PGD attack with
 * a random start (step α) on the current model, generated in training mode as in Rice et al.'s reference code.
 */
public final class PgdTraining implements TrainingMethod {
    private final int steps;
    private final double alpha;

    /** @param alpha step size on the [0,1] scale */
    public PgdTraining(int steps, double alpha) {
        this.steps = steps;
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return "pgd";
    }

    /** x' = PGD-K(x) against the model as {@code trainingMode} sees it, weights frozen meanwhile. */
    static NDArray attack(TrainContext ctx, NDArray x, NDArray y, int steps, double alpha, boolean trainingMode) {
        ctx.freezeWeights(true);
        try {
            AttackProblem p = new AttackProblem(ctx.classifier(trainingMode), x, y, y, false, Loss.CE, ctx.threat(), ctx.rng(), ctx.manager());
            return new PGD(steps, alpha, 1).run(p);
        } finally {
            ctx.freezeWeights(false);
        }
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray xAdv = attack(ctx, x, y, steps, alpha, true);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> ctx.crossEntropy(logits[0] = ctx.logits(xAdv), y));
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", name());
        m.put("steps_K", steps);
        m.put("alpha", alpha);
        m.put("random_start", true);
        return m;
    }
}

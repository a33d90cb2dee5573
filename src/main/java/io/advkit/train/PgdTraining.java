package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * PGD adversarial training (Madry et al. 2018): minimize CE(f(x'), y) where x' is a K-step PGD attack with
 * a random start (step α) on the current model, generated in training mode as in Rice et al.'s reference code.
 */
public record PgdTraining(InnerAttack attack) implements TrainingMethod {
    @Override
    public String name() {
        return "pgd";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray xAdv = ctx.pgd(attack, x, y, true);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> ctx.crossEntropy(logits[0] = ctx.logits(xAdv), y));
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return attack.describe(Params.of("method", name())).and("random_start", true);
    }
}

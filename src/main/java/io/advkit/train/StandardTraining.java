package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/** Empirical risk minimization: minimize CE(f(x), y) on clean images. */
public record StandardTraining() implements TrainingMethod {
    @Override
    public String name() {
        return "standard";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> ctx.crossEntropy(logits[0] = ctx.logits(x), y));
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return Params.of("method", name());
    }

    @Override
    public boolean adversarial() {
        return false;
    }
}

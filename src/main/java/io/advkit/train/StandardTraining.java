package io.advkit.train;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/** Empirical risk minimization: minimize CE(f(x), y) on clean images. */
public final class StandardTraining implements TrainingMethod {
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
    public Map<String, Object> config() {
        return Map.of("method", name());
    }

    @Override
    public boolean adversarial() {
        return false;
    }
}

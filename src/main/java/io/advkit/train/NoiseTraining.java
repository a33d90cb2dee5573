package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * Training on uniformly random points of the ε-ball: minimize CE(f(x + δ), y) with δ ~ U(−ε, ε) (clipped to the
 * pixel range). The baseline every adversarial training method has to beat: the same budget, spent at random
 * rather than by an attack, buys next to no robustness (Madry et al. 2018, Goodfellow et al. 2015).
 */
public record NoiseTraining() implements TrainingMethod {
    @Override
    public String name() {
        return "noise";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray noisy = ctx.threat().randomStart(x);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> ctx.crossEntropy(logits[0] = ctx.logits(noisy), y));
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("noise", "uniform(-eps, eps)");
    }
}

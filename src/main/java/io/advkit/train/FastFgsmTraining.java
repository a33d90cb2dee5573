package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * "Fast is better than free" (Wong et al. 2020), FGSM with a random start: δ ~ U(−ε, ε);
 * δ ← clip_ε(δ + α·sign(∇_δ CE(f(x + δ), y))) with α = 1.25ε; minimize CE(f(clip₀¹(x + δ)), y).
 * Model in training mode throughout, as in the reference code.
 *
 * @param alphaOverEps α/ε (1.25 in the paper)
 */
public record FastFgsmTraining(double alphaOverEps) implements TrainingMethod {
    @Override
    public String name() {
        return "fgsm-rs";
    }

    /** x + δ with δ ~ U(−ε, ε), clipped to [0,1]: the random start. */
    NDArray start(TrainContext ctx, NDArray x) {
        return ctx.threat().randomStart(x);
    }

    /** The FGSM step from the random start: x + clip_ε(δ + α·sign(∇)), clipped to [0,1]. */
    NDArray adversarial(TrainContext ctx, NDArray x, NDArray y) {
        NDArray start = start(ctx, x);
        NDArray grad = ctx.inputGradient(xi -> Scalars.times(ctx.crossEntropy(ctx.logits(xi), y), x.getShape().get(0)), start);
        return ctx.threat().project(start.add(ctx.threat().step(grad, alphaOverEps * ctx.threat().eps())), x);
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray xAdv = adversarial(ctx, x, y);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> ctx.crossEntropy(logits[0] = ctx.logits(xAdv), y));
        ctx.report(loss, logits[0], y);
    }

    @Override
    public boolean singleStep() {
        return true;
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("alpha", alphaOverEps + "*eps").and("random_start", "uniform(-eps, eps)");
    }
}

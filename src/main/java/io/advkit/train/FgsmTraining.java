package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * FGSM adversarial training (Goodfellow et al. 2015): x' = clip(x + ε·sign(∇ₓCE(f(x), y))), and the loss
 * mixes clean and adversarial terms, α·CE(f(x), y) + (1 − α)·CE(f(x'), y), with α = ½ as in the paper.
 *
 * @param cleanWeight α, the weight of the clean term
 */
public record FgsmTraining(double cleanWeight) implements TrainingMethod {
    @Override
    public String name() {
        return "fgsm";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray grad = ctx.inputGradient(xi -> Scalars.times(ctx.crossEntropy(ctx.logits(xi), y), x.getShape().get(0)), x);
        NDArray xAdv = ctx.threat().project(x.add(ctx.threat().step(grad, ctx.threat().eps())), x);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.crossEntropy(ctx.logits(x), y);
            logits[0] = ctx.logits(xAdv);
            return Scalars.times(clean, cleanWeight).add(Scalars.times(ctx.crossEntropy(logits[0], y), 1 - cleanWeight));
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public boolean singleStep() {
        return true;
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("alpha", cleanWeight);
    }
}

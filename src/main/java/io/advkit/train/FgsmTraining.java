package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.Gradients;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FGSM adversarial training (Goodfellow et al. 2015): x' = clip(x + ε·sign(∇ₓCE(f(x), y))), and the loss
 * mixes clean and adversarial terms, α·CE(f(x), y) + (1 − α)·CE(f(x'), y), with α = ½ as in the paper.
 */
public final class FgsmTraining implements TrainingMethod {
    private final double alpha;

    public FgsmTraining(double alpha) {
        this.alpha = alpha;
    }

    @Override
    public String name() {
        return "fgsm";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        double eps = ctx.threat().eps();
        ctx.freezeWeights(true);
        NDArray grad = Gradients.of(xi -> ctx.crossEntropy(ctx.logits(xi), y).mul(x.getShape().get(0)), x, ctx.manager()).gradient();
        ctx.freezeWeights(false);
        NDArray xAdv = ctx.threat().project(x.add(ctx.threat().step(grad, eps)), x);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.crossEntropy(ctx.logits(x), y);
            logits[0] = ctx.logits(xAdv);
            return clean.mul((float) alpha).add(ctx.crossEntropy(logits[0], y).mul((float) (1 - alpha)));
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public boolean singleStep() {
        return true;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", name());
        m.put("alpha", alpha);
        return m;
    }
}

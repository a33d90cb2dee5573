package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.Gradients;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TRADES (Zhang et al. 2019): minimize CE(f(x), y) + β·KL(p(x) ‖ p(x')), where x' maximizes the same KL
 * by K signed-gradient steps from x + 0.001·N(0, I), projected to the ε-ball, with the model in inference
 * mode as in the reference code. When f(x') = f(x) the robust term is exactly zero.
 */
public final class TradesTraining implements TrainingMethod {
    private final int steps;
    private final double alpha;
    private final double beta;

    public TradesTraining(int steps, double alpha, double beta) {
        this.steps = steps;
        this.alpha = alpha;
        this.beta = beta;
    }

    @Override
    public String name() {
        return "trades";
    }

    /** The TRADES objective per batch: CE on clean logits plus β times the mean KL(clean ‖ adversarial). */
    NDArray loss(TrainContext ctx, NDArray clean, NDArray adversarial, NDArray y) {
        return ctx.crossEntropy(clean, y).add(TrainContext.klDivergence(clean, adversarial).mean().mul((float) beta));
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        ctx.freezeWeights(true);
        NDArray target = ctx.logitsEval(x).stopGradient();
        NDArray xAdv = x.add(ctx.manager().randomNormal(x.getShape()).mul(0.001f));
        for (int k = 0; k < steps; k++) {
            NDArray grad = Gradients.of(xi -> TrainContext.klDivergence(target, ctx.logitsEval(xi)), xAdv, ctx.manager()).gradient();
            xAdv = ctx.threat().project(xAdv.add(grad.sign().mul(alpha)), x);
        }
        ctx.freezeWeights(false);
        NDArray adv = xAdv;
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.logits(x);
            logits[0] = ctx.logits(adv);
            return loss(ctx, clean, logits[0], y);
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", name());
        m.put("steps_K", steps);
        m.put("alpha", alpha);
        m.put("beta", beta);
        return m;
    }
}

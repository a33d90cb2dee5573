package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * TRADES (Zhang et al. 2019): minimize CE(f(x), y) + β·KL(p(x) ‖ p(x')), where x' maximizes the same KL
 * by K signed-gradient steps from x + 0.001·N(0, I), projected to the ε-ball, with the model in inference
 * mode as in the reference code. When f(x') = f(x) the robust term is exactly zero.
 */
public record TradesTraining(InnerAttack attack, double beta) implements TrainingMethod {
    @Override
    public String name() {
        return "trades";
    }

    /** The TRADES objective per batch: CE on clean logits plus β times the mean KL(clean ‖ adversarial). */
    NDArray loss(TrainContext ctx, NDArray clean, NDArray adversarial, NDArray y) {
        return ctx.crossEntropy(clean, y).add(Scalars.times(TrainContext.klDivergence(clean, adversarial).mean(), beta));
    }

    /** x' maximizing KL(p(x) ‖ p(x')) in inference mode. */
    NDArray adversarial(TrainContext ctx, NDArray x) {
        NDArray target = ctx.logitsEval(x).stopGradient();
        NDArray xAdv = x.add(ctx.manager().randomNormal(x.getShape()).mul(0.001f));
        for (int k = 0; k < attack.steps(); k++) {
            NDArray grad = ctx.inputGradient(xi -> TrainContext.klDivergence(target, ctx.logitsEval(xi)), xAdv);
            xAdv = ctx.threat().project(xAdv.add(ctx.threat().step(grad, attack.alpha())), x);
        }
        return xAdv;
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray adv = adversarial(ctx, x);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.logits(x);
            logits[0] = ctx.logits(adv);
            return loss(ctx, clean, logits[0], y);
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return attack.describe(Params.of("method", name())).and("beta", beta);
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * MART (Wang et al. 2020), misclassification-aware adversarial training: with x' from PGD (inference mode),
 * loss = BCE(p(x'), y) + λ·mean_i KL(p(xᵢ) ‖ p(x'ᵢ))·(1 − p_y(xᵢ)), where the boosted cross-entropy
 * BCE = CE(p(x'), y) − log(1 − max_{k≠y} p_k(x')) also pushes down the strongest wrong class.
 */
public record MartTraining(InnerAttack attack, double lambda) implements TrainingMethod {
    @Override
    public String name() {
        return "mart";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray xAdv = ctx.pgd(attack, x, y, false);
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.logits(x);
            NDArray adv = logits[0] = ctx.logits(xAdv);
            NDArray advProbs = adv.softmax(1);
            // the strongest wrong class under attack
            NDArray mask = y.oneHot((int) adv.getShape().get(1)).toType(DataType.FLOAT32, false);
            NDArray wrongMax = advProbs.sub(mask.mul(2f)).max(new int[] {1});
            NDArray bce = ctx.crossEntropy(adv, y).add(wrongMax.neg().add(1.0001f).log().neg().mean());
            NDArray trueProb = clean.softmax(1).gather(y.expandDims(1), 1).squeeze(1);
            NDArray robust = TrainContext.klDivergence(clean, adv).mul(trueProb.neg().add(1.0000001f)).mean();
            return bce.add(Scalars.times(robust, lambda));
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return attack.describe(Params.of("method", name())).and("lambda", lambda);
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * Logit pairing (Kannan et al. 2018). ALP: loss = ½·CE(f(x), y) + ½·CE(f(x'), y) + λ·mean_i ‖z(xᵢ) − z(x'ᵢ)‖²
 * with x' from PGD (training mode). CLP: clean only, loss = CE(f(x), y) + λ·mean_i ‖z(xᵢ) − z(x_{i+N/2})‖²,
 * pairing the first half of the batch with the second.
 *
 * @param attack the PGD attack for ALP's adversarial pairs; null for CLP
 */
public record LogitPairingTraining(InnerAttack attack, double lambda) implements TrainingMethod {
    @Override
    public String name() {
        return attack != null ? "alp" : "clp";
    }

    /** mean over pairs of the squared L2 distance between logit vectors. */
    static NDArray pairDistance(NDArray a, NDArray b) {
        return a.sub(b).square().sum(new int[] {1}).mean();
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray[] logits = new NDArray[1];
        float loss;
        if (attack != null) {
            NDArray xAdv = ctx.pgd(attack, x, y, true);
            loss = ctx.backwardAndStep(() -> {
                NDArray clean = ctx.logits(x);
                NDArray adv = logits[0] = ctx.logits(xAdv);
                return Scalars.times(ctx.crossEntropy(clean, y).add(ctx.crossEntropy(adv, y)), 0.5).add(Scalars.times(pairDistance(clean, adv), lambda));
            });
        } else {
            long half = x.getShape().get(0) / 2;
            loss = ctx.backwardAndStep(() -> {
                NDArray z = logits[0] = ctx.logits(x);
                return ctx.crossEntropy(z, y).add(Scalars.times(pairDistance(z.get("0:" + half), z.get(half + ":" + 2 * half)), lambda));
            });
        }
        ctx.report(loss, logits[0], y);
    }

    @Override
    public boolean adversarial() {
        return attack != null;
    }

    @Override
    public Params params() {
        Params p = Params.of("method", name());
        return (attack != null ? attack.describe(p) : p).and("lambda", lambda);
    }
}

package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

import io.advkit.util.InputGradient;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * Input-gradient regularization by double backpropagation (Drucker and LeCun 1992; Ross and Doshi-Velez
 * 2018): loss = CE(f(x), y) + λ·mean_i ‖∇ₓ CEᵢ‖₁. The input gradient is computed with its own graph
 * ({@link io.advkit.util.InputGradient}), so the penalty's gradient reaches the weights, and nothing of a batch's
 * graph outlives the batch.
 */
public record GradientRegularization(double lambda) implements TrainingMethod {
    @Override
    public String name() {
        return "gradreg";
    }

    /** CE and the L1 input-gradient penalty at x; the penalty is differentiable w.r.t. the weights. */
    static NDArray[] lossAndPenalty(TrainContext ctx, NDArray x, NDArray y, NDArray[] logitsOut) {
        NDArray xi = x.duplicate();
        xi.attach(x.getManager());
        xi.setRequiresGradient(true);
        NDArray z = ctx.logits(xi);
        logitsOut[0] = z;
        NDArray ce = ctx.crossEntropy(z, y);
        long n = x.getShape().get(0);
        // per-example CE sums to n·mean: its input gradient holds each example's own gradient
        NDArray g = InputGradient.differentiable(Scalars.times(ce, n), xi);
        NDArray penalty = g.abs().reshape(n, -1).sum(new int[] {1}).mean();
        return new NDArray[] {ce, penalty};
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray[] logits = new NDArray[1];
        float loss;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray[] parts = lossAndPenalty(ctx, x, y, logits);
            NDArray total = parts[0].add(Scalars.times(parts[1], lambda));
            gc.backward(total);
            loss = total.getFloat();
        }
        ctx.sgd().step(ctx.lr());
        ctx.report(loss, logits[0].stopGradient(), y);
    }

    @Override
    public boolean adversarial() {
        return false;
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("lambda", lambda).and("penalty", "mean_i ||grad_x CE_i||_1");
    }
}

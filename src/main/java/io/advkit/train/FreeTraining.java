package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;

import io.advkit.util.Params;

import java.util.Map;

/**
 * Free adversarial training (Shafahi et al. 2019): each minibatch is replayed m times; every replay's single
 * backward pass gives both the weight gradient (one optimizer step) and the input gradient, which moves the
 * perturbation δ ← clip_ε(δ + ε·sign(∇_δ)). δ is carried from replay to replay and from batch to batch.
 */
public final class FreeTraining implements TrainingMethod {
    private final int replays;
    private NDArray delta;
    private NDManager deltaOwner;

    public FreeTraining(int replays) {
        if (replays < 1) {
            throw io.advkit.util.UserError.invalid("replays", "free training replays each batch at least once, got " + replays);
        }
        this.replays = replays;
    }

    @Override
    public String name() {
        return "free";
    }

    public int replays() {
        return replays;
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        if (delta == null || !delta.getShape().equals(x.getShape())) {
            initDelta(x.getShape(), x.getManager().getParentManager(), null);
        }
        for (int r = 0; r < replays; r++) {
            NDArray xi = x.add(delta).clip(0, 1);
            xi.setRequiresGradient(true);
            NDArray logits;
            float loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                logits = ctx.logits(xi);
                NDArray l = ctx.crossEntropy(logits, y);
                gc.backward(l);
                loss = l.getFloat();
            }
            NDArray gradX = xi.getGradient();
            ctx.sgd().step(ctx.lr());
            // computed from the batch's arrays so temporaries die with the batch; only the result is kept
            NDArray next = ctx.threat().clip(delta.add(ctx.threat().step(gradX, ctx.threat().eps())));
            next.attach(deltaOwner);
            delta.close();
            delta = next;
            ctx.report(loss, logits.stopGradient(), y);
        }
    }

    private void initDelta(Shape shape, NDManager parent, float[] values) {
        if (deltaOwner == null) {
            deltaOwner = NDManager.newBaseManager(); // lives as long as training
        }
        if (delta != null) {
            delta.close();
        }
        delta = values == null ? deltaOwner.zeros(shape) : deltaOwner.create(values, shape).duplicate();
    }

    @Override
    public StateDict state() {
        if (delta == null) {
            return new StateDict(Map.of());
        }
        return new StateDict(Map.of("delta", Tensor.ofFloats(delta.getShape().getShape(), delta.toFloatArray())));
    }

    @Override
    public void load(StateDict state, NDManager manager) {
        Tensor t = state.get("delta");
        if (t != null) {
            initDelta(new Shape(t.shape()), manager, t.toFloatArray());
        }
    }

    @Override
    public boolean singleStep() {
        return true;
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("replays_m", replays).and("step", "eps");
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * LGV (Gubri et al. ECCV 2022, "LGV: Boosting adversarial example transferability from large geometric vicinity"):
 * from an already trained model, plain SGD on clean images at a constant, high learning rate, collecting
 * {@code perEpoch} copies of the weights per epoch. The copies lie in a wide region around the minimum; attacking
 * them in turn, one per gradient, transfers better than attacking the minimum itself. The batch update is
 * {@link StandardTraining}'s; what makes it LGV is the start (a trained model), the schedule (constant) and the
 * collection, which the trainer writes.
 */
public record LgvTraining(int perEpoch) implements TrainingMethod {
    public LgvTraining {
        if (perEpoch < 1) {
            throw io.advkit.util.UserError.invalid("collect-per-epoch", "LGV collects at least 1 model per epoch, got " + perEpoch);
        }
    }

    @Override
    public String name() {
        return "lgv";
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        new StandardTraining().trainBatch(ctx, x, y);
    }

    @Override
    public Params params() {
        return Params.of("method", name()).and("collect_per_epoch", perEpoch);
    }

    @Override
    public boolean adversarial() {
        return false;
    }

    @Override
    public int collectPerEpoch() {
        return perEpoch;
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.checkpoint.StateDict;
import io.advkit.util.Params;

import java.util.Map;

/** How one batch trains the model: any inner attack, the loss, the backward pass and the optimizer step(s). */
public interface TrainingMethod {
    String name();

    void trainBatch(TrainContext ctx, NDArray x, NDArray y);

    /** Hyper-parameters by their papers' names, for logs and model cards. */
    Params params();

    /** Whether the catastrophic-overfitting guard applies (single-step adversarial methods). */
    default boolean singleStep() {
        return false;
    }

    /** Whether inputs must stay within a threat model (adversarial methods). */
    default boolean adversarial() {
        return true;
    }

    /**
     * How many copies of the model to collect per epoch, evenly spaced in its batches, into the run's
     * {@code collection/} folder (LGV's surrogate collection); 0 for none.
     */
    default int collectPerEpoch() {
        return 0;
    }

    /** State carried between batches (Free AT's perturbation), for checkpoints; empty by default. */
    default StateDict state() {
        return new StateDict(Map.of());
    }

    default void load(StateDict state, NDManager manager) {}
}

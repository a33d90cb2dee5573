package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Params;

/**
 * An attack: adversarial versions of a batch, inside the problem's threat model, before rounding to pixels.
 * Attacks are immutable and hold only hyper-parameters: the budget comes with each problem and any state of a
 * run lives in that run, so one attack object serves many batches, budgets and threads.
 */
public interface Attack {
    String name();

    /** Adversarial images (N×C×H×W in [0,1], attached to {@code p.manager()}) within p's ε-ball. */
    NDArray run(AttackProblem p);

    /** Hyper-parameters by their papers' names, for attack.json. */
    Params params();

    /** True when the attack reads only the model's scores (Square, SPSA), so it can attack a black box. */
    default boolean scoresOnly() {
        return false;
    }

    /** Refuses, before any work, a gradient attack on a model that gives no gradients (an ONNX black box). */
    default void requireUsableOn(io.advkit.model.Classifier model) {
        if (!scoresOnly() && !model.differentiable()) {
            throw new io.advkit.util.UserError(name() + " needs input gradients, but " + model.name() + " is run as a black box "
                    + "(ONNX): use a gradient-free attack (square, spsa), a transfer attack (-s SURROGATE -v MODEL), or export "
                    + "the model to TorchScript");
        }
    }
}

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
}

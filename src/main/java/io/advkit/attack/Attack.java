package io.advkit.attack;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/** An attack: adversarial versions of a batch, inside the threat model, before rounding to pixels. */
public interface Attack {
    String name();

    /** Adversarial images (N×3×H×W in [0,1], attached to {@code p.manager()}) within p's ε-ball. */
    NDArray run(AttackProblem p);

    /** Hyper-parameters by their papers' names, for attack.json. */
    Map<String, Object> config();
}

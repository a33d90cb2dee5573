package io.advkit.train;

import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * The attack inside an adversarial training step: K signed-gradient steps of size α (in [0,1] units).
 *
 * @param steps K
 * @param alpha α
 */
public record InnerAttack(int steps, double alpha) {
    public InnerAttack {
        if (steps < 1 || !(alpha > 0)) {
            throw UserError.invalid("inner attack", "the training attack needs at least 1 step and a positive step size, got "
                    + steps + " steps of " + alpha * 255 + "/255");
        }
    }

    Params describe(Params p) {
        return p.and("steps_K", steps).and("alpha", alpha);
    }
}

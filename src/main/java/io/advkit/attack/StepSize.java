package io.advkit.attack;

import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * An iterative attack's step α, fixed when the attack is built but resolved against ε only when it runs (as
 * Foolbox's rel_stepsize / abs_stepsize): relative steps follow the budget, so one PGD serves a whole ε sweep.
 */
public sealed interface StepSize {
    /** α for the budget ε (both in [0,1] units). */
    double at(double eps);

    /** Adds this step to an attack's recorded hyper-parameters. */
    Params describe(Params p);

    /** α = fraction·ε. */
    record OfEps(double fraction) implements StepSize {
        public OfEps {
            if (!(fraction > 0) || Double.isInfinite(fraction)) {
                throw UserError.invalid("step size", "the step size must be positive, got " + fraction + "·ε");
            }
        }

        @Override
        public double at(double eps) {
            return fraction * eps;
        }

        @Override
        public Params describe(Params p) {
            return p.and("alpha_over_eps", fraction);
        }
    }

    /** α fixed in [0,1] units, whatever ε is. */
    record Absolute(double value) implements StepSize {
        public Absolute {
            if (!(value > 0) || Double.isInfinite(value)) {
                throw UserError.invalid("step size", "the step size must be positive, got " + value * 255 + "/255");
            }
        }

        @Override
        public double at(double eps) {
            return value;
        }

        @Override
        public Params describe(Params p) {
            return p.and("alpha", value).and("alpha_255", Math.round(value * 255 * 1e9) / 1e9);
        }
    }

    static StepSize ofEps(double fraction) {
        return new OfEps(fraction);
    }

    static StepSize absolute(double value) {
        return new Absolute(value);
    }
}

package io.advkit.train;

import io.advkit.util.UserError;

import java.util.Arrays;
import java.util.Locale;

/** Learning rate as a function of training progress, evaluated every iteration. */
public interface LrSchedule {
    /** @param epoch fractional epoch in [0, epochs) */
    double lr(double epoch);

    /** Step decay: lr × gamma at each milestone epoch (He et al.: 0.1 at 50% and 75%). */
    static LrSchedule multistep(double lr, int[] milestones, double gamma) {
        return e -> lr * Math.pow(gamma, Arrays.stream(milestones).filter(m -> e >= m).count());
    }

    /** The same rate throughout (LGV's collection phase: a high constant rate keeps SGD exploring around a minimum). */
    static LrSchedule constant(double lr) {
        return e -> lr;
    }

    /** Cosine annealing from lr to 0 over the run (Loshchilov and Hutter 2017, without restarts). */
    static LrSchedule cosine(double lr, int epochs) {
        return e -> lr * 0.5 * (1 + Math.cos(Math.PI * e / epochs));
    }

    /** One cycle, triangular: 0 → lr linearly over the first 40% of epochs, then back to 0 (as fast AT uses). */
    static LrSchedule oneCycle(double lr, int epochs) {
        double peak = epochs * 0.4;
        return e -> e < peak ? lr * e / peak : lr * Math.max(0, (epochs - e) / (epochs - peak));
    }

    static LrSchedule parse(String name, double lr, int epochs, int[] milestones, double gamma) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "multistep", "step" -> multistep(lr, milestones == null ? new int[] {epochs / 2, epochs * 3 / 4} : milestones, gamma);
            case "cosine" -> cosine(lr, epochs);
            case "onecycle", "one-cycle", "cyclic" -> oneCycle(lr, epochs);
            case "constant" -> constant(lr);
            default -> throw UserError.invalid("schedule", "unknown learning-rate schedule '" + name + "'; expected multistep, cosine, onecycle or constant");
        };
    }
}

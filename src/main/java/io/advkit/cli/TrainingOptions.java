package io.advkit.cli;

import io.advkit.train.TrainingMethods;
import picocli.CommandLine.Option;

/** Training methods' hyper-parameters, as options (train, and bench's timings of training batches). */
public class TrainingOptions {
    @Option(names = "--eps", defaultValue = "8", description = "adversarial budget, 0..255 scale, L-inf (default ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--alpha", description = "attack step, 0..255 scale (defaults: pgd/trades/mart/alp 2, fgsm-rs 1.25*eps)")
    Double alpha;

    @Option(names = "--attack-steps", defaultValue = "7", description = "K for pgd, trades, mart, alp (default ${DEFAULT-VALUE})")
    int attackSteps;

    @Option(names = "--replays", defaultValue = "8", description = "m for free (default ${DEFAULT-VALUE})")
    int replays;

    @Option(names = "--beta", defaultValue = "6", description = "TRADES beta (default ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--lambda", description = "MART lambda (default 6), ALP/CLP lambda (0.5), gradreg lambda (0.1)")
    Double lambda;

    @Option(names = "--collect-per-epoch", defaultValue = "4", description = "lgv: models collected per epoch (default ${DEFAULT-VALUE})")
    int collectPerEpoch;

    /** The settings in [0,1] units, for the budget {@code epsUnit}. */
    TrainingMethods.Settings settings(double epsUnit) {
        return new TrainingMethods.Settings(epsUnit, alpha == null ? null : alpha / 255, attackSteps, replays, beta, lambda, collectPerEpoch);
    }
}

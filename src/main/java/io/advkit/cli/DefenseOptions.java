package io.advkit.cli;

import io.advkit.defense.DefendedModel;
import io.advkit.defense.Defenses;
import io.advkit.defense.GradientMode;
import io.advkit.model.Classifier;
import picocli.CommandLine.Option;

import java.util.Locale;

/** A preprocessing defense in front of the model, and how gradients pass it. */
public class DefenseOptions {
    @Option(names = "--defense", paramLabel = "SPEC", description = "preprocessing defense: " + Defenses.HELP)
    String defense;

    @Option(names = "--gradients", defaultValue = "naive", description = "through the defense: naive, bpda, eot or adaptive (bpda+eot); default ${DEFAULT-VALUE}")
    String gradients;

    @Option(names = "--bpda", defaultValue = "identity", description = "BPDA backward approximation: identity or blur (default ${DEFAULT-VALUE})")
    String bpda;

    @Option(names = "--eot", defaultValue = "8", description = "EoT draws per gradient for random defenses (default ${DEFAULT-VALUE})")
    int eot;

    @Option(names = "--defense-seed", defaultValue = "0", description = "seed of the defense's randomness (default ${DEFAULT-VALUE})")
    long defenseSeed;

    DefendedModel.Approximation approximation() {
        try {
            return DefendedModel.Approximation.valueOf(bpda.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.advkit.util.UserError("--bpda must be identity or blur, got " + bpda);
        }
    }

    /** The model behind the defense (the model itself when no --defense is given). */
    Classifier wrap(Classifier model) {
        if (defense == null || defense.isBlank() || defense.equals("none")) {
            return model;
        }
        if (eot < 1) {
            throw new io.advkit.util.UserError("--eot must be at least 1");
        }
        return Defenses.wrap(model, defense, GradientMode.parse(gradients), approximation(), eot, defenseSeed);
    }
}

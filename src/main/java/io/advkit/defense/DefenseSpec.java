package io.advkit.defense;

import io.advkit.model.Classifier;

/**
 * A preprocessing defense in front of a model, as a job records it: the steps ({@link Defenses}), how gradients
 * pass them ({@link GradientMode}), the BPDA approximation, EoT draws and the defense's seed.
 */
public record DefenseSpec(String spec, String gradients, String bpda, int eot, long seed) {
    public DefenseSpec {
        GradientMode.parse(gradients);
        DefendedModel.Approximation.parse(bpda);
        Defenses.validate(spec); // fails here, before any work, on a bad spec
    }

    public boolean none() {
        return Defenses.isNone(spec);
    }

    /** The model behind this defense (the model itself when there is none). */
    public Classifier wrap(Classifier model) {
        return Defenses.wrap(model, spec, GradientMode.parse(gradients), DefendedModel.Approximation.parse(bpda), eot, seed);
    }
}

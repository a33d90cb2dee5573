package io.advkit.cli;

import io.advkit.defense.DefenseSpec;
import picocli.CommandLine.Option;

/** A preprocessing defense in front of the model, and how gradients pass it. */
public class DefenseOptions {
    @Option(names = "--defense", paramLabel = "SPEC", completionCandidates = Names.DefenseNames.class,
            description = "preprocessing defense, steps chained with +: ${COMPLETION-CANDIDATES} (advkit list defenses)")
    String defense;

    @Option(names = "--gradients", defaultValue = "naive", description = "through the defense: naive, bpda, eot or adaptive (bpda+eot); default ${DEFAULT-VALUE}")
    String gradients;

    @Option(names = "--bpda", defaultValue = "identity", description = "BPDA backward approximation: identity, blur, or diff (each step's differentiable approximation: "
            + "JPEG's DCT quantization with a cubic rounding, bit depth's cubic rounding; default ${DEFAULT-VALUE})")
    String bpda;

    @Option(names = "--eot", defaultValue = "8", description = "EoT draws per gradient for random defenses (default ${DEFAULT-VALUE})")
    int eot;

    @Option(names = "--defense-seed", defaultValue = "0", description = "seed of the defense's randomness (default ${DEFAULT-VALUE})")
    long defenseSeed;

    /** The defense as configured, or null when there is none. */
    DefenseSpec spec() {
        DefenseSpec s = new DefenseSpec(defense == null ? "none" : defense, gradients, bpda, eot, defenseSeed);
        return s.none() ? null : s;
    }
}

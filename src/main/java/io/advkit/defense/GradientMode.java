package io.advkit.defense;

import io.advkit.util.UserError;

import java.util.Locale;

/**
 * How gradients pass a defense's preprocessing. NAIVE: as the pipeline gives them, which for a
 * non-differentiable step (JPEG, quantization) is nothing: the attacker sees a zero gradient, as a defense's
 * author evaluating it with autograd would. BPDA (Athalye et al. 2018): the forward pass is the real
 * step, the backward pass that of an approximation (identity, or a blur). EOT adds averaging over
 * random draws; ADAPTIVE is BPDA and EoT together.
 */
public enum GradientMode {
    NAIVE, BPDA, EOT, ADAPTIVE;

    public boolean bpda() {
        return this == BPDA || this == ADAPTIVE;
    }

    public boolean eot() {
        return this == EOT || this == ADAPTIVE;
    }

    public static GradientMode parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT).replace("+", "_").replace("BPDA_EOT", "ADAPTIVE"));
        } catch (IllegalArgumentException e) {
            throw UserError.invalid("gradients", "unknown gradient mode '" + s + "'; expected naive, bpda, eot or adaptive (bpda+eot)");
        }
    }
}

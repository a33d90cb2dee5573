package io.advkit.attack;

import io.advkit.util.UserError;

import java.util.Locale;

/** The distance a perturbation budget is measured in. */
public enum Norm {
    LINF, L2, L1;

    public static Norm parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "linf", "l-inf", "inf", "l∞" -> LINF;
            case "l2", "2" -> L2;
            case "l1", "1" -> L1;
            default -> throw new UserError("unknown norm '" + s + "'; expected linf, l2 or l1");
        };
    }

    @Override
    public String toString() {
        return switch (this) {
            case LINF -> "linf";
            case L2 -> "l2";
            case L1 -> "l1";
        };
    }
}

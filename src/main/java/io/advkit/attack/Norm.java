package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.UserError;

import java.util.Arrays;
import java.util.Locale;

/** The distance a perturbation budget is measured in, and its per-image computations. */
public enum Norm {
    LINF, L2, L1;

    public static Norm parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "linf", "l-inf", "inf", "l∞" -> LINF;
            case "l2", "2" -> L2;
            case "l1", "1" -> L1;
            default -> throw UserError.invalid("norm", "unknown norm '" + s + "'; expected linf, l2 or l1");
        };
    }

    /** Per-image norm of a batch (N×…), shaped N×1×…×1 so that it broadcasts back over each image. */
    public NDArray perImage(NDArray d) {
        long n = d.getShape().get(0);
        NDArray flat = d.reshape(n, -1);
        NDArray r = switch (this) {
            case LINF -> flat.abs().max(new int[] {1});
            case L2 -> flat.square().sum(new int[] {1}).sqrt();
            case L1 -> flat.abs().sum(new int[] {1});
        };
        return r.reshape(broadcastShape(d));
    }

    /** Each image divided by its norm: a unit vector of this norm (zero images stay zero). */
    public NDArray normalize(NDArray d) {
        return d.div(perImage(d).add(1e-12f));
    }

    /** The largest distance between two images with {@code values} pixels each in [0,1]. */
    public double diameter(long values) {
        return switch (this) {
            case LINF -> 1;
            case L2 -> Math.sqrt(values);
            case L1 -> values;
        };
    }

    static Shape broadcastShape(NDArray d) {
        long[] s = new long[d.getShape().dimension()];
        Arrays.fill(s, 1);
        s[0] = d.getShape().get(0);
        return new Shape(s);
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

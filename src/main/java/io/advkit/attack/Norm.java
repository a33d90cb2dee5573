package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
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

    /**
     * Each perturbation of the batch projected (Euclidean projection) onto the ball of this norm with its own
     * radius: {@code radius} is N×1×…×1, as {@link #perImage} gives. L1 is Duchi et al. 2008's sort-and-threshold.
     */
    public NDArray projectOntoBall(NDArray d, NDArray radius) {
        return switch (this) {
            case LINF -> d.maximum(radius.neg()).minimum(radius);
            case L2 -> d.mul(radius.div(perImage(d).add(1e-12f)).minimum(1f));
            case L1 -> projectL1(d, radius.reshape(d.getShape().get(0), 1));
        };
    }

    private static NDArray projectL1(NDArray d, NDArray radius) {
        long n = d.getShape().get(0);
        NDArray flat = d.reshape(n, -1);
        NDArray a = flat.abs();
        NDArray inside = a.sum(new int[] {1}).reshape(n, 1).lte(radius); // already in the ball: unchanged
        NDArray sorted = a.sort(1).flip(1); // descending
        NDArray cum = sorted.cumSum(1);
        long dim = flat.getShape().get(1);
        NDArray ks = d.getManager().arange(1f, dim + 1f).reshape(1, dim);
        NDArray theta = cum.sub(radius).div(ks); // candidate thresholds
        NDArray valid = sorted.gt(theta);
        // rho = last index where sorted > theta; theta* = theta[rho]
        NDArray rho = valid.toType(DataType.FLOAT32, false).mul(ks).argMax(1).reshape(n, 1);
        NDArray t = theta.gather(rho, 1).maximum(0f);
        NDArray shrunk = flat.sign().mul(a.sub(t).maximum(0f));
        NDArray keep = inside.toType(DataType.FLOAT32, false);
        return flat.mul(keep).add(shrunk.mul(keep.neg().add(1f))).reshape(d.getShape());
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

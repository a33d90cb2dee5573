package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.UserError;

/**
 * The one place that knows what a valid adversarial image is: a norm and a budget ε (in [0,1] pixel
 * units), the projection onto the ε-ball around the clean image, clipping to the valid range [0,1],
 * random starts inside the ball, the steepest-ascent step of the norm, and the final integer lattice
 * ({@link #toPixels}): the saved image must be 8-bit integers that still satisfy the budget.
 */
public final class ThreatModel {
    private final Norm norm;
    private final double eps;

    /** @param eps the budget in [0,1] pixel units (L∞ at most 1: every pixel may then take any value) */
    public ThreatModel(Norm norm, double eps) {
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw UserError.invalid("eps", "the budget ε must be a non-negative number, got " + eps);
        }
        if (norm == Norm.LINF && eps > 1 + 1e-9) {
            throw UserError.invalid("eps", "an L∞ budget beyond 255/255 means nothing (pixels are in 0..255), got " + eps * 255 + "/255");
        }
        this.norm = norm;
        this.eps = eps;
    }

    /**
     * Parses a budget: "8" or "8/255" are on the 0..255 scale (8 means 8/255); with {@code scale} 1 a plain
     * number is in [0,1] units ("0.5" for L2). An unbounded L∞ attack is "255". Errors quote the text as given.
     */
    public static ThreatModel parse(String norm, String eps, double scale) {
        Norm n = Norm.parse(norm);
        double v;
        try {
            v = eps.endsWith("/255") ? Double.parseDouble(eps.substring(0, eps.length() - 4)) / 255.0 : Double.parseDouble(eps) / scale;
        } catch (NumberFormatException e) {
            throw UserError.invalid("eps", "the budget '" + eps + "' is not a number (8 means 8/255; in [0,1] units when the scale is 1)");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw UserError.invalid("eps", "the budget must be a non-negative number, got " + eps);
        }
        if (n == Norm.LINF && v > 1 + 1e-9) {
            throw UserError.invalid("eps", "the L∞ budget " + eps + (scale == 1 ? "" : "/255")
                    + " is beyond the pixel range; at most 255/255, which already allows any image");
        }
        return new ThreatModel(n, Math.min(v, n == Norm.LINF ? 1 : v));
    }

    /**
     * Refuses a budget larger than any two images of this shape can be apart (L2 and L1 depend on the image
     * size: √d and d for d values in [0,1]); {@code shape} is a batch's N×C×H×W.
     */
    public void requireFits(Shape shape) {
        long values = shape.size() / shape.get(0);
        double diameter = norm.diameter(values);
        if (eps > diameter + 1e-9) {
            throw UserError.invalid("eps", String.format("the %s budget %.4g exceeds the largest %s distance between two images of %d values (%.4g)",
                    norm, eps, norm, values, diameter));
        }
    }

    public Norm norm() {
        return norm;
    }

    /** ε in [0,1] units. */
    public double eps() {
        return eps;
    }

    /** ε on the 0..255 scale, for messages and file names. */
    public double eps255() {
        return Math.round(eps * 255 * 1e9) / 1e9; // 8/255·255 is 8, not 8.000000000000002
    }

    public ThreatModel withEps(double newEps) {
        return new ThreatModel(norm, newEps);
    }

    @Override
    public String toString() {
        // k/255 is how L∞ budgets are spoken of; L2 and L1 budgets are in [0,1] units (L1 12 is not "3060/255")
        boolean grid = norm == Norm.LINF && Math.abs(eps255() - Math.rint(eps255())) < 1e-9;
        return norm + " eps=" + (grid ? (long) Math.rint(eps255()) + "/255" : String.valueOf(eps));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThreatModel t && t.norm == norm && t.eps == eps;
    }

    @Override
    public int hashCode() {
        return norm.hashCode() * 31 + Double.hashCode(eps);
    }

    /** Per-image norm of a batch of perturbations (N×…) → N×1×1×1, for broadcasting back. */
    public NDArray perImageNorm(NDArray d) {
        return norm.perImage(d);
    }

    /**
     * Projects {@code xAdv} onto the ε-ball around {@code x}, then clips to [0,1]. For L2 and L1 the clip can
     * only shrink the perturbation, so the result stays in the ball.
     */
    public NDArray project(NDArray xAdv, NDArray x) {
        return x.add(clip(xAdv.sub(x))).clip(0, 1);
    }

    /** A perturbation projected onto the ε-ball (not to the pixel range): what carried perturbations need. */
    public NDArray clip(NDArray d) {
        return switch (norm) {
            case LINF -> d.clip(-eps, eps);
            case L2 -> d.mul(perImageNorm(d).add(1e-12).pow(-1).mul(eps).minimum(1f));
            case L1 -> Norm.L1.projectOntoBall(d, d.getManager().full(Norm.broadcastShape(d), (float) eps));
        };
    }

    /** A uniformly random point of the ε-ball around x (clipped to [0,1]): PGD's random start. */
    public NDArray randomStart(NDArray x) {
        var m = x.getManager();
        Shape s = x.getShape();
        NDArray d = switch (norm) {
            case LINF -> m.randomUniform((float) -eps, (float) eps, s);
            case L2 -> {
                NDArray g = m.randomNormal(s);
                long dim = s.size() / s.get(0);
                NDArray radius = m.randomUniform(0f, 1f, Norm.broadcastShape(x)).pow(1.0f / dim).mul(eps);
                yield Norm.L2.normalize(g).mul(radius);
            }
            case L1 -> {
                // uniform in the L1 ball: Laplace direction normalized, radius ε·u^(1/d)
                NDArray u = m.randomUniform(1e-7f, 1f, s);
                NDArray lap = u.log().neg().mul(m.randomUniform(0f, 1f, s).gt(0.5f).toType(DataType.FLOAT32, false).mul(2f).sub(1f));
                long dim = s.size() / s.get(0);
                NDArray radius = m.randomUniform(0f, 1f, Norm.broadcastShape(x)).pow(1.0f / dim).mul(eps);
                yield Norm.L1.normalize(lap).mul(radius);
            }
        };
        return x.add(d).clip(0, 1);
    }

    /**
     * A point at distance ε from x in a random direction (uniform box direction for L∞, Gaussian for L2 and
     * L1), clipped to [0,1]: AutoAttack's start, on the ball's boundary rather than inside it.
     */
    public NDArray randomOnBoundary(NDArray x) {
        NDArray t = norm == Norm.LINF ? x.getManager().randomUniform(-1f, 1f, x.getShape()) : x.getManager().randomNormal(x.getShape());
        return x.add(norm.normalize(t).mul(eps)).clip(0, 1);
    }

    /**
     * The norm's steepest-ascent step of length {@code alpha} along {@code grad}: α·sign(g) for L∞,
     * α·g/‖g‖₂ for L2, and for L1 all of α on the coordinate with the largest |g| (per image), as the
     * course defines L1 FGM.
     */
    public NDArray step(NDArray grad, double alpha) {
        return switch (norm) {
            case LINF -> grad.sign().mul(alpha);
            case L2 -> Norm.L2.normalize(grad).mul(alpha);
            case L1 -> {
                long n = grad.getShape().get(0);
                NDArray flat = grad.reshape(n, -1);
                NDArray idx = flat.abs().argMax(1).reshape(n, 1);
                NDArray oneHot = idx.oneHot((int) flat.getShape().get(1)).reshape(flat.getShape());
                yield oneHot.mul(flat.sign()).mul(alpha).reshape(grad.getShape());
            }
        };
    }

    /** Per-image distance of xAdv from x in this norm, on the [0,1] scale. */
    public float[] distance(NDArray xAdv, NDArray x) {
        return perImageNorm(xAdv.sub(x)).toFloatArray();
    }

    // ---- the integer lattice -------------------------------------------------------------------------

    /**
     * Rounds an adversarial image to what can be saved: integers 0..255 that satisfy the budget against the
     * clean 8-bit image. L∞: each value is rounded to the nearest integer in [max(0, x−e), min(255, x+e)]
     * with e = ⌊255·ε⌋ (never truncated toward x). L2/L1: nearest integers of x + s·δ for the largest
     * s ∈ [0,1] whose rounded perturbation is within ε (bisection; s = 0 gives x itself, always valid).
     *
     * @param adv   one image, CHW floats on the [0,1] scale
     * @param clean the same image's 8-bit values, CHW
     */
    public int[] toPixels(float[] adv, int[] clean) {
        int[] out = new int[adv.length];
        if (norm == Norm.LINF) {
            int e = (int) Math.floor(eps * 255 + 1e-6);
            for (int i = 0; i < adv.length; i++) {
                long r = Math.round(adv[i] * 255.0);
                out[i] = (int) Math.max(Math.max(0, clean[i] - e), Math.min(Math.min(255, clean[i] + e), r));
            }
            return out;
        }
        roundScaled(adv, clean, 1.0, out);
        if (within(out, clean)) {
            return out;
        }
        double lo = 0;
        double hi = 1;
        int[] best = clean.clone();
        for (int it = 0; it < 30; it++) {
            double mid = (lo + hi) / 2;
            roundScaled(adv, clean, mid, out);
            if (within(out, clean)) {
                lo = mid;
                best = out.clone();
            } else {
                hi = mid;
            }
        }
        return best;
    }

    private static void roundScaled(float[] adv, int[] clean, double s, int[] out) {
        for (int i = 0; i < adv.length; i++) {
            double v = clean[i] + s * (adv[i] * 255.0 - clean[i]);
            out[i] = (int) Math.max(0, Math.min(255, Math.round(v)));
        }
    }

    /** Whether integer pixels are within the budget of the clean ones (computed on the [0,1] scale). */
    public boolean within(int[] pixels, int[] clean) {
        double acc = 0;
        for (int i = 0; i < pixels.length; i++) {
            double d = Math.abs(pixels[i] - clean[i]) / 255.0;
            acc = switch (norm) {
                case LINF -> Math.max(acc, d);
                case L2 -> acc + d * d;
                case L1 -> acc + d;
            };
        }
        double dist = norm == Norm.L2 ? Math.sqrt(acc) : acc;
        return dist <= eps + 1e-9;
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.Random;

/**
 * Square Attack (Andriushchenko et al. 2020): gradient-free, it only reads the model's scores. From a random
 * start on the ε-ball's surface it proposes, at each query, a change confined to one random square window and
 * keeps it if the margin z_y − max_{j≠y} z_j drops; the window's side shrinks on the paper's p-schedule
 * (p = 0.8 at first, halved at queries 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000). L∞: the window of each
 * channel jumps to the opposite face of the box; L2: the mass inside two windows is redistributed with the
 * paper's centred square patterns, keeping ‖δ‖₂ = ε; L1 (Croce et al. 2022, as AutoAttack's L1 version runs it):
 * the same with patterns weighted 1/(r+1)⁴ and unit L1 mass, and every proposal projected onto the L1 ball
 * intersected with the pixel box ({@link L1BoxProjection}). Images stop being queried once misclassified. As in
 * AutoAttack, 5,000 queries and p = 0.8 by default. Needs no gradient, so masking a gradient does not stop it.
 */
public final class Square implements Attack {
    private final int queries;
    private final double pInit;

    public Square(int queries, double pInit) {
        if (queries < 1 || !(pInit > 0 && pInit <= 1)) {
            throw UserError.invalid("queries", "Square needs at least 1 query and p in (0, 1], got " + queries + " and " + pInit);
        }
        this.queries = queries;
        this.pInit = pInit;
    }

    @Override
    public boolean scoresOnly() {
        return true;
    }

    @Override
    public String name() {
        return "square";
    }

    /** The fraction of the image a window covers after {@code it} queries (no rescaling, as AutoAttack runs it). */
    double p(int it) {
        int[] bounds = {10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000};
        double p = pInit;
        for (int b : bounds) {
            if (it > b) {
                p /= 2;
            }
        }
        return p;
    }

    @Override
    public NDArray run(AttackProblem pr) {
        Norm norm = pr.threat().norm();
        Shape shape = pr.x().getShape();
        int n = (int) shape.get(0);
        int c = (int) shape.get(1);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        int per = c * h * w;
        float eps = (float) pr.threat().eps();
        float[] x = pr.x().toFloatArray();
        long[] labels = (pr.targeted() ? pr.goal() : pr.y()).toLongArray();
        Random rng = pr.rng();
        Scores scores = new Scores(pr, labels, per, shape);

        float[] best = switch (norm) {
            case LINF -> stripes(x, n, c, h, w, eps, rng);
            case L2 -> scaledOnto(x, gridStart(n, c, h, w, Norm.L2, rng), n, per, eps);
            case L1 -> projectedOnto(x, gridStart(n, c, h, w, Norm.L1, rng), n, per, eps);
        };
        float[][] ml = scores.of(best, all(n));
        float[] margin = ml[0];
        float[] loss = ml[1];
        for (int it = 0; it < queries && eps > 0; it++) {
            int[] rows = open(margin);
            if (rows.length == 0) {
                break;
            }
            float[] proposal = norm == Norm.LINF ? linfProposal(x, best, rows, c, h, w, eps, it, rng)
                    : windowProposal(x, best, rows, c, h, w, eps, it, norm, rng);
            float[][] now = scores.of(proposal, rows);
            for (int k = 0; k < rows.length; k++) {
                int i = rows[k];
                boolean improved = now[1][k] < loss[i];
                if (improved) {
                    loss[i] = now[1][k];
                }
                if (improved || now[0][k] <= 0) {
                    margin[i] = now[0][k];
                    System.arraycopy(proposal, k * per, best, i * per, per);
                }
            }
            pr.progress().accept((it + 1.0) / queries);
        }
        pr.progress().accept(1.0);
        return pr.manager().create(best, shape);
    }

    private static int[] all(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    /** Images not yet misclassified (margin > 0). */
    private static int[] open(float[] margin) {
        boolean[] done = new boolean[margin.length];
        for (int i = 0; i < margin.length; i++) {
            done[i] = margin[i] <= 0;
        }
        return Rows.remaining(done);
    }

    private static float sign(Random rng) {
        return rng.nextBoolean() ? 1f : -1f;
    }

    private static float clip(float v, float lo, float hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /** L∞ start: x + ε·s with a random sign s per image, channel and column (vertical stripes), clipped to [0,1]. */
    private static float[] stripes(float[] x, int n, int c, int h, int w, float eps, Random rng) {
        float[] out = new float[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int col = 0; col < w; col++) {
                    float s = sign(rng) * eps;
                    for (int row = 0; row < h; row++) {
                        int k = ((i * c + ch) * h + row) * w + col;
                        out[k] = clip(x[k] + s, 0, 1);
                    }
                }
            }
        }
        return out;
    }

    /** L∞ query: one window, the same for all images, whose channels move to ±2ε from the current point (one sign per channel). */
    private float[] linfProposal(float[] x, float[] best, int[] rows, int c, int h, int w, float eps, int it, Random rng) {
        int s = Math.min(Math.max((int) Math.round(Math.sqrt(p(it) * c * h * w / c)), 1), Math.min(h, w));
        int vh = rng.nextInt(Math.max(h - s, 1));
        int vw = rng.nextInt(Math.max(w - s, 1));
        float[] signs = new float[c];
        for (int ch = 0; ch < c; ch++) {
            signs[ch] = 2 * eps * sign(rng);
        }
        int per = c * h * w;
        float[] out = new float[rows.length * per];
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            System.arraycopy(best, i * per, out, k * per, per);
            for (int ch = 0; ch < c; ch++) {
                for (int row = vh; row < vh + s; row++) {
                    for (int col = vw; col < vw + s; col++) {
                        int off = (ch * h + row) * w + col;
                        float clean = x[i * per + off];
                        out[k * per + off] = clip(clip(best[i * per + off] + signs[ch], clean - eps, clean + eps), 0, 1);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The paper's window pattern: nested squares around the centre of each half, of opposite sign in the two halves,
     * the r-th ring weighted 1/(r+1)² for L2 (unit L2 norm) and 1/(r+1)⁴ for L1 (unit L1 mass); transposed half the time.
     */
    static float[] eta(int s, Norm norm, Random rng) {
        float[] top = rectangles(s / 2, s, norm);
        float[] bottom = rectangles(s - s / 2, s, norm);
        float[] d = new float[s * s];
        for (int k = 0; k < top.length; k++) {
            d[k] = top[k];
        }
        for (int k = 0; k < bottom.length; k++) {
            d[top.length + k] = -bottom[k];
        }
        normalize(d, norm);
        if (rng.nextDouble() > 0.5) {
            float[] t = new float[s * s];
            for (int r = 0; r < s; r++) {
                for (int q = 0; q < s; q++) {
                    t[q * s + r] = d[r * s + q];
                }
            }
            d = t;
        }
        return d;
    }

    /** An a×b block of nested rectangles around its centre, the r-th ring weighted 1/(r+1)² (L2) or 1/(r+1)⁴ (L1), unit norm. */
    private static float[] rectangles(int a, int b, Norm norm) {
        float[] d = new float[a * b];
        int xc = a / 2 + 1;
        int yc = b / 2 + 1;
        int c0 = xc - 1;
        int c1 = yc - 1;
        for (int r = 0; r < Math.max(xc, yc); r++) {
            double ring = (r + 1.0) * (r + 1.0);
            float weight = (float) (1 / (norm == Norm.L1 ? ring * ring : ring));
            for (int i = Math.max(c0, 0); i < Math.min(c0 + 2 * r + 1, a); i++) {
                for (int j = Math.max(c1, 0); j < Math.min(c1 + 2 * r + 1, b); j++) {
                    d[i * b + j] += weight;
                }
            }
            c0--;
            c1--;
        }
        normalize(d, norm);
        return d;
    }

    /** Scales d to unit L2 norm, or to unit L1 mass. */
    private static void normalize(float[] d, Norm norm) {
        double sum = 0;
        for (float v : d) {
            sum += norm == Norm.L1 ? Math.abs(v) : v * v;
        }
        float scale = (float) (norm == Norm.L1 ? sum : Math.sqrt(sum));
        for (int k = 0; k < d.length; k++) {
            d[k] /= scale;
        }
    }

    /**
     * The L2 and L1 start: a grid of ⌊h/5⌋-sized windows, each the η pattern with a random sign per image and channel
     * (a perturbation direction, to be scaled or projected into the ball).
     */
    private static float[] gridStart(int n, int c, int h, int w, Norm norm, Random rng) {
        int per = c * h * w;
        float[] delta = new float[n * per];
        int s = Math.max(h / 5, 1); // images under 5 pixels get 1-pixel windows
        int sp = (h - s * 5) / 2;
        int vh = Math.max(sp, 0);
        for (int a = 0; a < h / s; a++) {
            int vw = Math.max(sp, 0);
            for (int b = 0; b < w / s; b++) {
                float[] e = eta(s, norm, rng);
                for (int i = 0; i < n; i++) {
                    for (int ch = 0; ch < c; ch++) {
                        float sg = sign(rng);
                        for (int r = 0; r < s && vh + r < h; r++) {
                            for (int q = 0; q < s && vw + q < w; q++) {
                                delta[i * per + (ch * h + vh + r) * w + vw + q] += e[r * s + q] * sg;
                            }
                        }
                    }
                }
                vw += s;
            }
            vh += s;
        }
        return delta;
    }

    /** x + the projection of δ onto {‖z‖₁ ≤ ε, 0 ≤ x + z ≤ 1}, per image (ε shrunk by 1e-6 as AutoAttack does, against rounding). */
    private static float[] projectedOnto(float[] x, float[] delta, int n, int per, float eps) {
        float[] out = new float[delta.length];
        for (int i = 0; i < n; i++) {
            float[] z = L1BoxProjection.project(java.util.Arrays.copyOfRange(x, i * per, (i + 1) * per),
                    java.util.Arrays.copyOfRange(delta, i * per, (i + 1) * per), eps * (1 - 1e-6));
            for (int k = 0; k < per; k++) {
                out[i * per + k] = clip(x[i * per + k] + z[k], 0, 1);
            }
        }
        return out;
    }

    /** x + ε·δ/‖δ‖₂ per image, clipped to [0,1]. */
    private static float[] scaledOnto(float[] x, float[] delta, int n, int per, float eps) {
        float[] out = new float[delta.length];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int k = 0; k < per; k++) {
                sum += delta[i * per + k] * delta[i * per + k];
            }
            float scale = (float) (eps / (Math.sqrt(sum) + 1e-12));
            for (int k = 0; k < per; k++) {
                out[i * per + k] = clip(x[i * per + k] + delta[i * per + k] * scale, 0, 1);
            }
        }
        return out;
    }

    /**
     * L2 and L1 query: a new η-shaped window (odd side ≥ 3) replaces the current perturbation's window 1, window 2 is
     * emptied, and the freed mass (plus what the ball has left) goes into window 1, per channel; then ‖δ‖₂ = ε (L2),
     * or δ projected onto the L1 ball in the box (L1). Masses are squared L2 norms for L2, L1 norms for L1.
     */
    private float[] windowProposal(float[] x, float[] best, int[] rows, int c, int h, int w, float eps, int it, Norm norm, Random rng) {
        boolean l1 = norm == Norm.L1;
        int s = Math.max((int) Math.round(Math.sqrt(p(it) * c * h * w / c)), 3);
        if (s % 2 == 0) {
            s++;
        }
        s = Math.min(s, Math.min(h, w));
        int vh = rng.nextInt(Math.max(h - s, 1));
        int vw = rng.nextInt(Math.max(w - s, 1));
        int vh2 = rng.nextInt(Math.max(h - s, 1));
        int vw2 = rng.nextInt(Math.max(w - s, 1));
        float[] e = eta(s, norm, rng);
        int per = c * h * w;
        float[] delta = new float[rows.length * per];
        float[] clean = new float[rows.length * per];
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            System.arraycopy(x, i * per, clean, k * per, per);
            for (int j = 0; j < per; j++) {
                delta[k * per + j] = best[i * per + j] - x[i * per + j];
            }
            double image = 0;
            for (int j = 0; j < per; j++) {
                image += mass(delta[k * per + j], l1);
            }
            for (int ch = 0; ch < c; ch++) {
                double window1 = 0;
                double windows = 0; // the mass in the union of both windows
                for (int r = 0; r < h; r++) {
                    for (int q = 0; q < w; q++) {
                        boolean in1 = r >= vh && r < vh + s && q >= vw && q < vw + s;
                        boolean in2 = r >= vh2 && r < vh2 + s && q >= vw2 && q < vw2 + s;
                        float d = delta[k * per + (ch * h + r) * w + q];
                        if (in1) {
                            window1 += mass(d, l1);
                        }
                        if (in1 || in2) {
                            windows += mass(d, l1);
                        }
                    }
                }
                float norm1 = (float) (l1 ? window1 : Math.sqrt(window1));
                float sg = sign(rng);
                float[] patch = new float[s * s];
                double patchNorm = 0;
                for (int r = 0; r < s; r++) {
                    for (int q = 0; q < s; q++) {
                        float old = delta[k * per + (ch * h + vh + r) * w + vw + q] / (1e-12f + norm1);
                        patch[r * s + q] = e[r * s + q] * sg + old;
                        patchNorm += mass(patch[r * s + q], l1);
                    }
                }
                // what the ball has left, shared by the channels, plus what the two windows held (AutoAttack's rule,
                // whose L1 form gives each channel c times its share; the projection below trims the excess)
                float target = l1 ? (float) ((Math.max(eps - image, 0) / c + windows) * c)
                        : (float) Math.sqrt(Math.max(eps * eps - image, 0) / c + windows);
                float scale = (float) (target / (1e-12 + (l1 ? patchNorm : Math.sqrt(patchNorm))));
                for (int r = vh2; r < vh2 + s; r++) {
                    for (int q = vw2; q < vw2 + s; q++) {
                        delta[k * per + (ch * h + r) * w + q] = 0;
                    }
                }
                for (int r = 0; r < s; r++) {
                    for (int q = 0; q < s; q++) {
                        delta[k * per + (ch * h + vh + r) * w + vw + q] = patch[r * s + q] * scale;
                    }
                }
            }
        }
        return l1 ? projectedOnto(clean, delta, rows.length, per, eps) : scaledOnto(clean, delta, rows.length, per, eps);
    }

    /** A value's share of a perturbation's size: |v| for L1, v² for L2 (whose norm is the root of the sum). */
    private static double mass(float v, boolean l1) {
        return l1 ? Math.abs(v) : v * v; // the float product, as the L2 sums always took it
    }

    /** The model's margin and loss on images given as floats, with the forward pass's memory freed at once. */
    private static final class Scores {
        private final AttackProblem p;
        private final long[] labels;
        private final int per;
        private final Shape shape;

        Scores(AttackProblem p, long[] labels, int per, Shape shape) {
            this.p = p;
            this.labels = labels;
            this.per = per;
            this.shape = shape;
        }

        /** {margin, loss} of each image in {@code images}, which are the problem's images {@code rows}. */
        float[][] of(float[] images, int[] rows) {
            int m = images.length / per;
            float[] z;
            int k;
            try (NDManager forward = p.manager().newSubManager()) {
                NDArray in = forward.create(images, new Shape(m, shape.get(1), shape.get(2), shape.get(3)));
                NDArray logits = p.model().logits(in);
                k = (int) logits.getShape().get(1);
                z = logits.toFloatArray();
            }
            float[] margin = new float[m];
            float[] loss = new float[m];
            for (int r = 0; r < m; r++) {
                int label = (int) labels[rows[r]];
                float own = z[r * k + label];
                float other = Float.NEGATIVE_INFINITY;
                double sumExp = 0;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, z[r * k + j]);
                    if (j != label) {
                        other = Math.max(other, z[r * k + j]);
                    }
                }
                for (int j = 0; j < k; j++) {
                    sumExp += Math.exp(z[r * k + j] - max);
                }
                float ce = (float) (Math.log(sumExp) + max - own);
                if (p.targeted()) { // toward the goal: margin max_{j≠t} z_j − z_t, loss the CE of the goal
                    margin[r] = other - own;
                    loss[r] = ce;
                } else { // away from the label: the margin is the loss too
                    margin[r] = own - other;
                    loss[r] = margin[r];
                }
            }
            return new float[][] {margin, loss};
        }
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("n_queries", queries).and("p_init", pInit).and("loss", "margin");
    }
}

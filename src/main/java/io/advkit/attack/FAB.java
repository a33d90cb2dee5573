package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.Random;

/**
 * FAB, the Fast Adaptive Boundary attack (Croce and Hein 2020), as AutoAttack runs it: a minimal-norm attack.
 * Each step linearizes the model around the current point x₁, takes the nearest decision hyperplane (untargeted:
 * of all classes; targeted, FAB-T: toward the class with the k-th highest clean logit, k = 2 … targets + 1),
 * projects both x₁ and the clean x onto it within the box (FabProjections), and moves to a convex combination of
 * the two, weighted α = min(‖d₁‖/(‖d₁‖ + ‖d₂‖), α_max), overshooting by η; once adversarial it records the point if
 * closer than the best so far and steps back toward x by β. α_max = 0.1, η = 1.05, β = 0.9, 100 iterations.
 * As an attack, a success is a misclassified point within the problem's ε and other images come back clean;
 * {@link #minimal} gives every image's closest point.
 */
public final class FAB implements Attack, MinimalNorm {
    private static final double ALPHA_MAX = 0.1;
    private static final double ETA = 1.05;
    private static final double BETA = 0.9;

    private final int iterations;
    private final int restarts;
    private final int targets; // 0: untargeted

    /**
     * @param restarts runs per target (the first from the clean image, later ones from random points at ε/2)
     * @param targets  0 for untargeted FAB, else FAB-T over that many target classes
     */
    public FAB(int iterations, int restarts, int targets) {
        if (iterations < 1 || restarts < 1 || targets < 0) {
            throw UserError.invalid("steps", "FAB needs at least 1 iteration and 1 restart, got " + iterations + " and " + restarts);
        }
        this.iterations = iterations;
        this.restarts = restarts;
        this.targets = targets;
    }

    @Override
    public String name() {
        return targets > 0 ? "fab-t" : "fab";
    }

    @Override
    public NDArray run(AttackProblem p) {
        return MinimalNorm.withinBudget(p, search(p, true));
    }

    /** Each correctly classified image's closest adversarial point over every target and restart. */
    @Override
    public Result minimal(AttackProblem p) {
        return search(p, false);
    }

    /**
     * The targets' and restarts' runs; with {@code untilWithinBudget} an image leaves once a point within ε fools the
     * model (AutoAttack's FAB), otherwise every run tries every image and the closest point is kept.
     */
    private Result search(AttackProblem p, boolean untilWithinBudget) {
        if (p.targeted()) {
            throw UserError.invalid("target", name() + " picks its own targets; run it untargeted");
        }
        int classes = p.model().numClasses();
        if (targets + 1 > classes) {
            throw UserError.invalid("targets", name() + " with " + targets + " targets needs " + (targets + 1) + " classes; the model has " + classes);
        }
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        long[] y = p.y().toLongArray();
        float[][] clean = MinimalNorm.images(p.x());
        float[][] best = clean.clone();
        double[] bestDist = new double[n];
        java.util.Arrays.fill(bestDist, Double.POSITIVE_INFINITY);
        boolean[] done = p.success(p.x()); // AutoAttack attacks only correctly classified points
        long[][] order = targets > 0 ? p.classesByCleanLogit() : null;
        int rounds = Math.max(targets, 1) * restarts;
        int round = 0;
        for (int k = 0; k < Math.max(targets, 1); k++) {
            for (int r = 0; r < restarts; r++, round++) {
                int[] rows = Rows.remaining(done);
                if (rows.length == 0) {
                    break;
                }
                long[][] target = null; // one candidate class per image: FAB-T's k-th runner-up
                if (targets > 0) {
                    target = new long[rows.length][];
                    for (int j = 0; j < rows.length; j++) {
                        target[j] = new long[] {order[rows[j]][k + 1]};
                    }
                }
                int at = round;
                Run found = singleRun(p, clean, y, rows, target, r > 0, shape, f -> p.progress().accept((at + f) / rounds));
                for (int j = 0; j < rows.length; j++) {
                    int i = rows[j];
                    if (found.points[j] != null && found.distances[j] < bestDist[i]) {
                        best[i] = found.points[j];
                        bestDist[i] = found.distances[j];
                    }
                    if (untilWithinBudget && bestDist[i] <= p.threat().eps() + 1e-7) {
                        done[i] = true;
                    }
                }
            }
        }
        p.progress().accept(1.0);
        boolean[] found = new boolean[n];
        for (int i = 0; i < n; i++) {
            found[i] = bestDist[i] < Double.POSITIVE_INFINITY;
        }
        return Result.of(p, p.threat().norm(), clean, best, found);
    }

    /** One run's outcome per row: the closest adversarial point and its distance (null and ∞ when none). */
    private record Run(float[][] points, double[] distances) {}

    /**
     * One FAB run on the given rows; per row the closest adversarial point it found. A run from a random start begins
     * at a random point at distance ε/2 (the reference's restarts).
     */
    private Run singleRun(AttackProblem p, float[][] clean, long[] yAll, int[] rows, long[][] target, boolean randomStart, Shape shape,
                          java.util.function.DoubleConsumer progress) {
        Norm norm = p.threat().norm();
        int bs = rows.length;
        int dim = clean[0].length;
        float[][] im = new float[bs][];
        long[] la = new long[bs];
        for (int j = 0; j < bs; j++) {
            im[j] = clean[rows[j]];
            la[j] = yAll[rows[j]];
        }
        float[][] x1 = new float[bs][];
        for (int j = 0; j < bs; j++) {
            x1[j] = randomStart ? randomStart(im[j], norm, p.threat().eps(), p.rng()) : im[j].clone();
        }
        float[][] best = new float[bs][];
        double[] bestDist = new double[bs];
        java.util.Arrays.fill(bestDist, 1e10);
        for (int it = 0; it < iterations; it++) {
            Boundaries.Linear lin = Boundaries.nearest(p, norm, x1, la, target, shape);
            for (int j = 0; j < bs; j++) {
                float[] w = lin.w()[j];
                double b = -lin.f()[j];
                for (int i = 0; i < dim; i++) {
                    b += (double) w[i] * x1[j][i];
                }
                float[] d1 = FabProjections.project(norm, x1[j], w, b);
                float[] d2 = FabProjections.project(norm, im[j], w, b);
                double a1 = Math.max(FabProjections.norm(norm, d1), 1e-8);
                double a2 = Math.max(FabProjections.norm(norm, d2), 1e-8);
                double alpha = Math.min(Math.max(a1 / (a1 + a2), 0), ALPHA_MAX);
                for (int i = 0; i < dim; i++) {
                    double v = (x1[j][i] + ETA * d1[i]) * (1 - alpha) + (im[j][i] + ETA * d2[i]) * alpha;
                    x1[j][i] = (float) Math.max(0, Math.min(1, v));
                }
            }
            long[] pred = Boundaries.predict(p, x1, shape);
            for (int j = 0; j < bs; j++) {
                if (pred[j] != la[j]) {
                    float[] diff = new float[dim];
                    for (int i = 0; i < dim; i++) {
                        diff[i] = x1[j][i] - im[j][i];
                    }
                    double t = FabProjections.norm(norm, diff);
                    if (t < bestDist[j]) {
                        bestDist[j] = t;
                        best[j] = x1[j].clone();
                    }
                    for (int i = 0; i < dim; i++) {
                        x1[j][i] = (float) (im[j][i] + diff[i] * BETA);
                    }
                }
            }
            progress.accept((it + 1.0) / iterations);
        }
        for (int j = 0; j < bs; j++) {
            if (best[j] == null) {
                bestDist[j] = Double.POSITIVE_INFINITY;
            }
        }
        return new Run(best, bestDist);
    }

    private static float[] randomStart(float[] im, Norm norm, double eps, Random rng) {
        float[] t = new float[im.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = norm == Norm.LINF ? (float) (2 * rng.nextDouble() - 1) : (float) rng.nextGaussian();
        }
        double scale = eps / 2 / Math.max(FabProjections.norm(norm, t), 1e-12);
        float[] out = new float[im.length];
        for (int i = 0; i < im.length; i++) {
            out[i] = (float) Math.max(0, Math.min(1, im[i] + t[i] * scale));
        }
        return out;
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("n_iter", iterations).and("n_restarts", restarts).and("n_target_classes", targets)
                .and("alpha_max", ALPHA_MAX).and("eta", ETA).and("beta", BETA);
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * DeepFool (Moosavi-Dezfooli et al. 2016): a minimal-norm attack. At each step the model is linearized, the nearest
 * class boundary in the norm is taken (|f_k − f_y| / ‖∇(f_k − f_y)‖_dual smallest, over the 10 classes with the
 * highest clean logits), and the point jumps onto it: r = (|f| + 10⁻⁴)·w/‖w‖₂² for L2, (|f| + 10⁻⁴)·sign(w)/‖w‖₁ for
 * L∞; the steps add up, overshot by 2%, until the label changes (at most 50 steps). {@link #minimal} gives each image's
 * perturbation size; as an attack within ε, a success is a changed label within ε, and other images come back clean.
 */
public final class DeepFool implements Attack, MinimalNorm {
    private static final double OVERSHOOT = 0.02;
    private static final int CANDIDATES = 10;

    private final int steps;

    public DeepFool(int steps) {
        if (steps < 1) {
            throw UserError.invalid("steps", "DeepFool needs at least 1 step, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public String name() {
        return "deepfool";
    }

    @Override
    public NDArray run(AttackProblem p) {
        return MinimalNorm.withinBudget(p, minimal(p));
    }

    @Override
    public Result minimal(AttackProblem p) {
        Norm norm = p.threat().norm();
        if (norm == Norm.L1) {
            throw UserError.invalid("norm", "deepfool supports the linf and l2 norms");
        }
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        long[] y = p.y().toLongArray();
        float[][] clean = MinimalNorm.images(p.x());
        float[][] point = MinimalNorm.images(p.x());
        float[][] total = new float[n][dim];
        boolean[] done = p.success(p.x()); // misclassified from the start: distance 0
        // as the reference implementation: only the classes with the highest clean logits are candidates, so a step
        // costs CANDIDATES gradients whatever the number of classes
        long[][] order = p.classesByCleanLogit();
        int columns = Math.min(CANDIDATES, order[0].length);
        for (int it = 0; it < steps; it++) {
            int[] rows = Rows.remaining(done);
            if (rows.length == 0) {
                break;
            }
            float[][] at = new float[rows.length][];
            long[] labels = new long[rows.length];
            long[][] candidates = new long[rows.length][];
            for (int j = 0; j < rows.length; j++) {
                at[j] = point[rows[j]];
                labels[j] = y[rows[j]];
                candidates[j] = java.util.Arrays.copyOf(order[rows[j]], columns);
            }
            Boundaries.Linear lin = Boundaries.nearest(p, norm, at, labels, candidates, shape);
            for (int j = 0; j < rows.length; j++) {
                int i = rows[j];
                float[] w = lin.w()[j];
                double f = Math.abs(lin.f()[j]) + 1e-4; // the paper's nudge, so a step is never zero
                double scale = norm == Norm.L2 ? f / Math.max(squaredNorm(w), 1e-24) : f / Math.max(FabProjections.norm(Norm.L1, w), 1e-12);
                for (int k = 0; k < dim; k++) {
                    total[i][k] += (float) (scale * (norm == Norm.L2 ? w[k] : Math.signum(w[k])));
                    point[i][k] = (float) Math.max(0, Math.min(1, clean[i][k] + (1 + OVERSHOOT) * total[i][k]));
                }
            }
            long[] now = Boundaries.predict(p, at, shape);
            for (int j = 0; j < rows.length; j++) {
                done[rows[j]] = now[j] != labels[j];
            }
            p.progress().accept((it + 1.0) / steps);
        }
        p.progress().accept(1.0); // also when every image fell early
        return MinimalNorm.Result.of(p, norm, clean, point, done);
    }

    private static double squaredNorm(float[] w) {
        double s = 0;
        for (float v : w) {
            s += (double) v * v;
        }
        return s;
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("steps", steps).and("overshoot", OVERSHOOT).and("candidates", CANDIDATES);
    }
}

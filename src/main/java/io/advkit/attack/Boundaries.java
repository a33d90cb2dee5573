package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The model linearized around a point, as the boundary attacks (FAB, DeepFool) see it: for each image, the decision
 * boundary between its label y and another class k is f_k(x) − f_y(x) = 0; its linearization is w·z = w·x − f with
 * f = f_k − f_y and w = ∇(f_k − f_y). The nearest in a norm is the one with the smallest |f| / ‖w‖_dual.
 */
final class Boundaries {
    /** Per image: the boundary's value f at the point and its gradient w (flattened). */
    record Linear(double[] f, float[][] w) {}

    private Boundaries() {}

    /**
     * Per image, the nearest linearized boundary in {@code norm} among the classes of its row of {@code candidates}
     * (one gradient per column; rows of equal length), or among every class when {@code candidates} is null.
     */
    static Linear nearest(AttackProblem p, Norm norm, float[][] points, long[] labels, long[][] candidates, Shape imageShape) {
        int bs = points.length;
        int dim = points[0].length;
        int columns = candidates == null ? p.model().numClasses() : candidates[0].length;
        try (NDManager m = p.manager().newSubManager()) {
            NDArray x = m.create(flat(points), new Shape(bs, imageShape.get(1), imageShape.get(2), imageShape.get(3)));
            NDArray y = m.create(labels);
            double[] bestDist = new double[bs];
            Arrays.fill(bestDist, Double.POSITIVE_INFINITY);
            double[] f = new double[bs];
            float[][] w = new float[bs][];
            for (int c = 0; c < columns; c++) {
                long[] kk = new long[bs];
                for (int j = 0; j < bs; j++) {
                    kk[j] = candidates == null ? c : candidates[j][c];
                }
                Linear l = toward(p, x, y, m.create(kk), bs, dim, m);
                for (int j = 0; j < bs; j++) {
                    if (kk[j] == labels[j]) {
                        continue;
                    }
                    double dist = Math.abs(l.f()[j]) / (1e-12 + FabProjections.dualNorm(norm, l.w()[j]));
                    if (w[j] == null || dist < bestDist[j]) {
                        bestDist[j] = dist;
                        f[j] = l.f()[j];
                        w[j] = l.w()[j];
                    }
                }
            }
            return new Linear(f, w);
        }
    }

    /** f = f_t − f_y and its gradient, per image. */
    private static Linear toward(AttackProblem p, NDArray x, NDArray y, NDArray t, int bs, int dim, NDManager m) {
        Gradients.ValueAndGradient vg = Gradients.of(xi -> {
            NDArray z = p.model().logits(xi);
            return Loss.trueLogit(z, t).sub(Loss.trueLogit(z, y));
        }, x, m);
        float[] f = vg.value().toFloatArray();
        float[] g = vg.gradient().toFloatArray();
        double[] fd = new double[bs];
        float[][] w = new float[bs][];
        for (int j = 0; j < bs; j++) {
            fd[j] = f[j];
            w[j] = Arrays.copyOfRange(g, j * dim, (j + 1) * dim);
        }
        return new Linear(fd, w);
    }

    static float[] flat(float[][] rows) {
        int dim = rows[0].length;
        float[] out = new float[rows.length * dim];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(rows[j], 0, out, j * dim, dim);
        }
        return out;
    }

    /** The model's predictions on the given points, with the forward pass's memory freed at once. */
    static long[] predict(AttackProblem p, float[][] points, Shape imageShape) {
        try (NDManager m = p.manager().newSubManager()) {
            NDArray x = m.create(flat(points), new Shape(points.length, imageShape.get(1), imageShape.get(2), imageShape.get(3)));
            return p.model().logits(x).argMax(1).toLongArray();
        }
    }
}

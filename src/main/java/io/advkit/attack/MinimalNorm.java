package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * An attack that finds, per image, the smallest perturbation it can that changes the label (DeepFool, FAB, FMN,
 * CW): one run gives every image's minimal distance, hence the whole accuracy-vs-ε curve.
 */
public interface MinimalNorm {
    /**
     * Per image: the adversarial point found and its distance from the clean image in the problem's norm
     * ({@code Double.POSITIVE_INFINITY} when none was found; 0 when the clean image is already misclassified).
     */
    record Result(float[][] points, double[] distances) {
        static Result of(AttackProblem p, Norm norm, float[][] clean, float[][] points, boolean[] found) {
            boolean[] alreadyWrong = p.success(p.x());
            double[] d = new double[clean.length];
            for (int i = 0; i < clean.length; i++) {
                if (alreadyWrong[i]) {
                    d[i] = 0;
                } else if (!found[i]) {
                    d[i] = Double.POSITIVE_INFINITY;
                } else {
                    float[] diff = new float[clean[i].length];
                    for (int k = 0; k < diff.length; k++) {
                        diff[k] = points[i][k] - clean[i][k];
                    }
                    d[i] = FabProjections.norm(norm, diff);
                }
            }
            return new Result(points, d);
        }
    }

    /** Each image of a batch as a flat array. */
    static float[][] images(NDArray x) {
        int n = (int) x.getShape().get(0);
        float[] flat = x.toFloatArray();
        int dim = flat.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = java.util.Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
        }
        return out;
    }

    /** Each image's minimal adversarial point and distance, in the norm of {@code p}'s threat model (ε is not used). */
    Result minimal(AttackProblem p);

    /** The minimal points that are within the problem's ε; the clean image for the others. */
    static NDArray withinBudget(AttackProblem p, Result r) {
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        float[] out = p.x().toFloatArray();
        for (int i = 0; i < n; i++) {
            if (r.distances()[i] > 0 && r.distances()[i] <= p.threat().eps() + 1e-7) {
                System.arraycopy(r.points()[i], 0, out, i * dim, dim);
            }
        }
        return p.manager().create(out, shape);
    }
}

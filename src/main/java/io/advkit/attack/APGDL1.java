package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * L1-APGD (Croce and Hein 2021, "Mind the box: l1-APGD for sparse adversarial attacks"), as AutoAttack runs it. A
 * step spends η on the top-k coordinates of the gradient, evenly: x + η·sign(g_k)/‖sign(g_k)‖₁ with g_k the gradient
 * zeroed outside its k largest magnitudes, then projects onto the L1 ball ∩ the pixel box ({@link L1BoxProjection}).
 * Every 4% of the iterations the sparsity adapts: k becomes ‖x_best − x‖₀ / 1.5; if the best point's support shrank
 * by more than 5%, η resets to ε and the iterate to the best point, else η shrinks by 1.5 (down to ε/10). The budget
 * starts large and tightens, 3ε, 2ε, ε over 30%, 30%, 40% of the iterations, from a random point of the first ball,
 * each phase starting at the previous one's highest-loss point. There is no momentum in the L1 version. Reached
 * through {@link APGD} when the threat model is L1.
 */
final class APGDL1 {
    private static final double SHRINK_STEP = 1.5;
    private static final double MIN_STEP_FRACTION = 0.1;

    private final int iterations;

    APGDL1(int iterations) {
        this.iterations = iterations;
    }

    /** One image batch's per-image state of a phase, as flat arrays (the projection runs per image on the CPU). */
    private static final class Run {
        float[] x;
        float[] grad;
        float[] xBest;
        float[] gradBest;
        float[] xFooling;
        float[] lossBest;
        boolean[] fooled;
    }

    /** {@code p} already carries the loss to maximize. */
    NDArray run(AttackProblem p) {
        double eps = p.threat().eps();
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        float[] clean = p.x().toFloatArray();
        double[] scales = {3, 2, 1};
        int[] phase = {(int) Math.ceil(0.3 * iterations), (int) Math.ceil(0.3 * iterations), 0};
        phase[2] = iterations - phase[0] - phase[1];
        float[] start = new float[n * dim];
        try (NDManager m = p.manager().newSubManager()) {
            float[] noise = m.randomNormal(shape).toFloatArray();
            for (int j = 0; j < n; j++) {
                project(clean, noise, j, dim, scales[0] * eps, start);
            }
        }
        Run r = null;
        int done = 0;
        for (int ph = 0; ph < 3; ph++) {
            double e = scales[ph] * eps;
            float[] init = r == null ? start : r.xBest;
            float[] delta = new float[n * dim];
            for (int i = 0; i < delta.length; i++) {
                delta[i] = init[i] - clean[i];
            }
            float[] x0 = new float[n * dim];
            for (int j = 0; j < n; j++) {
                project(clean, delta, j, dim, e, x0);
            }
            int offset = done;
            int length = phase[ph];
            r = phase(p, clean, x0, e, length, shape, f -> p.progress().accept((offset + f * length) / iterations));
            done += phase[ph];
        }
        float[] out = new float[n * dim];
        for (int j = 0; j < n; j++) {
            System.arraycopy(r.fooled[j] ? r.xFooling : r.xBest, j * dim, out, j * dim, dim);
        }
        p.progress().accept(1.0);
        return p.manager().create(out, shape);
    }

    /** Writes clean + the L1∩box projection of delta (image j) into out. */
    private static void project(float[] clean, float[] delta, int j, int dim, double eps, float[] out) {
        float[] x = Arrays.copyOfRange(clean, j * dim, (j + 1) * dim);
        float[] z = L1BoxProjection.project(x, Arrays.copyOfRange(delta, j * dim, (j + 1) * dim), eps);
        for (int k = 0; k < dim; k++) {
            out[j * dim + k] = x[k] + z[k];
        }
    }

    private Run phase(AttackProblem p, float[] clean, float[] start, double eps, int steps, Shape shape,
                      java.util.function.DoubleConsumer progress) {
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        Run r = new Run();
        r.x = start;
        float[] loss = evaluate(p, r, shape);
        r.xBest = r.x.clone();
        r.gradBest = r.grad.clone();
        r.lossBest = loss.clone();
        double[] eta = new double[n];
        Arrays.fill(eta, eps);
        double[] topk = new double[n];
        double[] supportOld = new double[n];
        for (int j = 0; j < n; j++) {
            supportOld[j] = support(r.x, clean, j, dim);
            topk[j] = supportOld[j] / dim / 1.5;
        }
        int check = Math.max((int) (0.04 * steps), 1); // of the phase's iterations, as the reference sets it
        int sinceCheck = 0;
        for (int i = 0; i < steps; i++) {
            float[] moved = new float[n * dim];
            for (int j = 0; j < n; j++) {
                sparseStep(r.x, r.grad, j, dim, topk[j], eta[j], moved);
                float[] delta = new float[dim];
                for (int k = 0; k < dim; k++) {
                    delta[k] = moved[j * dim + k] - clean[j * dim + k];
                }
                float[] x = Arrays.copyOfRange(clean, j * dim, (j + 1) * dim);
                float[] z = L1BoxProjection.project(x, delta, eps);
                for (int k = 0; k < dim; k++) {
                    moved[j * dim + k] = x[k] + z[k];
                }
            }
            r.x = moved;
            loss = evaluate(p, r, shape);
            for (int j = 0; j < n; j++) {
                if (loss[j] > r.lossBest[j]) {
                    r.lossBest[j] = loss[j];
                    System.arraycopy(r.x, j * dim, r.xBest, j * dim, dim);
                    System.arraycopy(r.grad, j * dim, r.gradBest, j * dim, dim);
                }
            }
            if (++sinceCheck == check) {
                for (int j = 0; j < n; j++) {
                    double now = support(r.xBest, clean, j, dim);
                    boolean shrank = now / supportOld[j] < 0.95;
                    topk[j] = now / dim / 1.5;
                    eta[j] = shrank ? eps : Math.max(eta[j] / SHRINK_STEP, eps * MIN_STEP_FRACTION);
                    supportOld[j] = now;
                    if (shrank) { // a sparser best point: continue from it, with its gradient
                        System.arraycopy(r.xBest, j * dim, r.x, j * dim, dim);
                        System.arraycopy(r.gradBest, j * dim, r.grad, j * dim, dim);
                    }
                }
                sinceCheck = 0;
            }
            progress.accept((i + 1.0) / Math.max(steps, 1));
        }
        return r;
    }

    /** Loss and gradient at r.x, per image; records the first fooling iterate of each image. */
    private static float[] evaluate(AttackProblem p, Run r, Shape shape) {
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        try (NDManager m = p.manager().newSubManager()) {
            Gradients.ValueAndGradient e = p.evaluate(m.create(r.x, shape), m);
            r.grad = e.gradient().toFloatArray();
            boolean[] fooledNow = p.fooled(e.logits());
            if (r.fooled == null) {
                r.fooled = new boolean[n];
                r.xFooling = r.x.clone();
            }
            for (int j = 0; j < n; j++) {
                if (fooledNow[j] && !r.fooled[j]) {
                    r.fooled[j] = true;
                    System.arraycopy(r.x, j * dim, r.xFooling, j * dim, dim);
                }
            }
            return e.value().toFloatArray();
        }
    }

    /** x + η·sign(g_k)/‖sign(g_k)‖₁ for image j, g_k the gradient kept on its top (topk·dim) magnitudes. */
    private static void sparseStep(float[] x, float[] grad, int j, int dim, double topk, double eta, float[] out) {
        float[] mags = new float[dim];
        for (int k = 0; k < dim; k++) {
            mags[k] = Math.abs(grad[j * dim + k]);
        }
        float[] sorted = mags.clone();
        Arrays.sort(sorted);
        int index = (int) Math.max(0, Math.min(dim - 1, (long) ((1 - topk) * dim)));
        float threshold = sorted[index];
        int count = 0;
        for (int k = 0; k < dim; k++) {
            if (mags[k] >= threshold && grad[j * dim + k] != 0) {
                count++;
            }
        }
        for (int k = 0; k < dim; k++) {
            float g = grad[j * dim + k];
            out[j * dim + k] = x[j * dim + k] + (mags[k] >= threshold && g != 0 ? (float) (eta * Math.signum(g) / (count + 1e-10)) : 0f);
        }
    }

    private static double support(float[] x, float[] clean, int j, int dim) {
        int c = 0;
        for (int k = 0; k < dim; k++) {
            c += x[j * dim + k] != clean[j * dim + k] ? 1 : 0;
        }
        return Math.max(c, 1); // the ratio of supports needs a non-zero denominator
    }
}

package io.advkit.train;

import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The linear lesson (Goodfellow et al. 2015, §5; the course's derivation): binary logistic regression
 * f(x) = wᵀx + b with labels y ∈ {−1, +1} and loss ζ(−y f(x)), ζ = softplus. FGSM at L∞ budget ε moves x to
 * x' = x + ε·sign(∇ₓζ) = x − ε·y·sign(w) (the gradient is −y·σ(−y f)·w), so y f(x') = y f(x) − ε‖w‖₁ and
 * <pre>    ζ(−y f(x')) = ζ(ε‖w‖₁ − y f(x)),</pre>
 * which for a misclassified point (the linear part of ζ) is the standard loss + ε‖w‖₁: FGSM adversarial training of
 * a linear model is an L1 penalty inside the loss, and its weights go sparse. (Goodfellow et al. print
 * ζ(y(ε‖w‖₁ − wᵀx − b)), which is this for y = +1 only.) Pixels are not clipped to [0, 1] here, as in the derivation.
 *
 * <p>Both models are trained by the same minibatch SGD; the adversarial one on FGSM examples of the current weights,
 * each batch (the examples are constants to the weight gradient, as in adversarial training).
 */
public final class LinearLesson {
    /** One model's figures: accuracies (%) on the held-out pair, clean and under FGSM at ε, and its weights. */
    public record Model(String training, double clean, double fgsm, double l1, double nearZero, float[] weights, double bias) {}

    public record Result(String kind, String data, List<String> classes, int height, int width, double eps, int epochs, double lr,
                         int trainImages, int testImages, List<Model> models, RunInfo run) {}

    /** Pixels (rows in [0,1]) and labels ±1. */
    public record Data(float[][] x, int[] y) {
        public Data {
            if (x.length != y.length || x.length == 0) {
                throw new UserError("the linear lesson needs images of both classes");
            }
        }
    }

    private LinearLesson() {}

    /** ζ(z) = log(1 + eᶻ), computed without overflow. */
    static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    static double margin(float[] w, double b, float[] x) {
        double s = b;
        for (int i = 0; i < w.length; i++) {
            s += w[i] * x[i];
        }
        return s;
    }

    /** FGSM's example for a linear model: x − ε·y·sign(w) (no box). */
    static float[] fgsm(float[] w, float[] x, int y, double eps) {
        float[] a = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = (float) (x[i] - eps * y * Math.signum(w[i]));
        }
        return a;
    }

    /** Trains weights and bias (last element) by minibatch SGD on ζ(−y f(x)), on FGSM examples when {@code adversarial}. */
    static double[] train(Data d, double eps, boolean adversarial, int epochs, double lr, int batch, long seed) {
        int n = d.x().length;
        int dim = d.x()[0].length;
        float[] w = new float[dim];
        double b = 0;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(seed);
        double[] grad = new double[dim];
        for (int e = 0; e < epochs; e++) {
            for (int i = n - 1; i > 0; i--) { // Fisher–Yates, seeded
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int start = 0; start < n; start += batch) {
                java.util.Arrays.fill(grad, 0);
                double gb = 0;
                int end = Math.min(n, start + batch);
                for (int k = start; k < end; k++) {
                    int y = d.y()[order[k]];
                    float[] x = adversarial ? fgsm(w, d.x()[order[k]], y, eps) : d.x()[order[k]];
                    double s = -y / (1 + Math.exp(y * margin(w, b, x))); // dζ(−y f)/df = −y σ(−y f)
                    for (int i = 0; i < dim; i++) {
                        grad[i] += s * x[i];
                    }
                    gb += s;
                }
                double step = lr / (end - start);
                for (int i = 0; i < dim; i++) {
                    w[i] -= (float) (step * grad[i]);
                }
                b -= step * gb;
            }
        }
        double[] out = new double[dim + 1];
        for (int i = 0; i < dim; i++) {
            out[i] = w[i];
        }
        out[dim] = b;
        return out;
    }

    static Model evaluate(String training, double[] wb, Data test, double eps) {
        int dim = wb.length - 1;
        float[] w = new float[dim];
        double l1 = 0;
        double max = 0;
        for (int i = 0; i < dim; i++) {
            w[i] = (float) wb[i];
            l1 += Math.abs(wb[i]);
            max = Math.max(max, Math.abs(wb[i]));
        }
        double b = wb[dim];
        int clean = 0;
        int robust = 0;
        for (int k = 0; k < test.x().length; k++) {
            int y = test.y()[k];
            clean += y * margin(w, b, test.x()[k]) > 0 ? 1 : 0;
            robust += y * margin(w, b, fgsm(w, test.x()[k], y, eps)) > 0 ? 1 : 0;
        }
        int small = 0;
        for (float v : w) {
            small += Math.abs(v) < 0.01 * max ? 1 : 0;
        }
        int n = test.x().length;
        return new Model(training, 100.0 * clean / n, 100.0 * robust / n, l1, 100.0 * small / dim, w, b);
    }

    /** Standard and FGSM-trained logistic regression on the same data, evaluated on {@code test}. */
    public static Result run(String data, List<String> classes, int height, int width, Data train, Data test, double eps, int epochs,
                             double lr, long seed) {
        List<Model> models = new ArrayList<>();
        models.add(evaluate("standard", train(train, eps, false, epochs, lr, 100, seed), test, eps));
        models.add(evaluate("fgsm", train(train, eps, true, epochs, lr, 100, seed), test, eps));
        return new Result("linear", data, classes, height, width, eps, epochs, lr, train.x().length, test.x().length, models, RunInfo.now());
    }
}

package io.advkit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.AttackProblem;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.Scalars;

/**
 * MMA training (Ding et al. 2020), margin maximization in input space: for each image the model gets right, the
 * closest adversarial point x + δ* found by AN-PGD (PGD at the largest margin worth maximizing, d_max = ε, then a
 * bisection along the segment from x to PGD's point down to the decision boundary), and its cross-entropy there;
 * images already wrong, and those PGD cannot flip within d_max, keep the cross-entropy of x itself or of PGD's point.
 * Loss = ⅓·CE(clean) + ⅔·mean of those (the authors' mix of clean and MMA loss). Attacks run in inference mode.
 */
public record MmaTraining(InnerAttack attack, int bisections) implements TrainingMethod {
    static final double CLEAN_WEIGHT = 1.0 / 3;

    @Override
    public String name() {
        return "mma";
    }

    /**
     * Per image, the point MMA trains on: x itself when already misclassified, else the boundary point AN-PGD finds
     * (the smallest t in [0,1] with x + t·(x' − x) still misclassified, by bisection), else PGD's point x'.
     */
    static NDArray marginPoints(Classifier model, NDArray x, NDArray y, NDArray xAdv, int bisections) {
        long n = x.getShape().get(0);
        boolean[] wrongClean = wrong(model, x, y);
        boolean[] flipped = wrong(model, xAdv, y);
        float[] lo = new float[(int) n]; // known robust fraction of the way to x'
        float[] hi = new float[(int) n]; // known adversarial fraction
        for (int i = 0; i < n; i++) {
            hi[i] = 1f;
        }
        NDArray d = xAdv.sub(x);
        for (int k = 0; k < bisections; k++) {
            float[] mid = new float[(int) n];
            for (int i = 0; i < n; i++) {
                mid[i] = (lo[i] + hi[i]) / 2;
            }
            boolean[] fooled = wrong(model, along(x, d, mid), y);
            for (int i = 0; i < n; i++) {
                if (fooled[i]) {
                    hi[i] = mid[i];
                } else {
                    lo[i] = mid[i];
                }
            }
        }
        float[] t = new float[(int) n];
        for (int i = 0; i < n; i++) {
            t[i] = wrongClean[i] ? 0f : flipped[i] ? hi[i] : 1f;
        }
        return along(x, d, t);
    }

    private static NDArray along(NDArray x, NDArray d, float[] t) {
        long n = x.getShape().get(0);
        NDArray ts = x.getManager().create(t, new Shape(n, 1, 1, 1));
        return x.add(d.mul(ts));
    }

    private static boolean[] wrong(Classifier model, NDArray x, NDArray y) {
        long[] pred = AttackProblem.predict(model, x);
        long[] truth = y.toLongArray();
        boolean[] out = new boolean[pred.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = pred[i] != truth[i];
        }
        return out;
    }

    @Override
    public void trainBatch(TrainContext ctx, NDArray x, NDArray y) {
        NDArray xAdv = ctx.pgd(attack, x, y, false);
        NDArray points = marginPoints(ctx.classifier(false), x, y, xAdv, bisections).stopGradient();
        NDArray[] logits = new NDArray[1];
        float loss = ctx.backwardAndStep(() -> {
            NDArray clean = ctx.logits(x);
            NDArray margin = logits[0] = ctx.logits(points);
            return Scalars.times(ctx.crossEntropy(clean, y), CLEAN_WEIGHT).add(Scalars.times(ctx.crossEntropy(margin, y), 1 - CLEAN_WEIGHT));
        });
        ctx.report(loss, logits[0], y);
    }

    @Override
    public Params params() {
        return attack.describe(Params.of("method", name())).and("d_max", "eps").and("bisections", bisections)
                .and("clean_weight", CLEAN_WEIGHT);
    }
}

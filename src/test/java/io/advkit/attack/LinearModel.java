package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.Classifier;

import java.util.Random;

/** logits = W·vec(x) + b: a model whose input gradients have closed forms. */
final class LinearModel implements Classifier {
    private final NDArray wT; // D × K, transposed once: a transpose per forward would land in the weights' manager
    private final NDArray b;

    LinearModel(NDManager m, float[][] weights) {
        int k = weights.length;
        int d = weights[0].length;
        float[] flat = new float[k * d];
        for (int i = 0; i < k; i++) {
            System.arraycopy(weights[i], 0, flat, i * d, d);
        }
        this.wT = m.create(flat, new Shape(k, d)).transpose();
        this.b = m.zeros(new Shape(k));
    }

    /** Weights drawn from N(0, 1): {@code classes} rows of {@code d}. */
    static float[][] gaussian(long seed, int classes, int d) {
        Random r = new Random(seed);
        float[][] w = new float[classes][d];
        for (float[] row : w) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return w;
    }

    @Override
    public NDArray logits(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).matMul(wT).add(b);
    }

    @Override
    public int numClasses() {
        return (int) wT.getShape().get(1);
    }

    @Override
    public String name() {
        return "linear";
    }
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Random;

/**
 * Randomization (Xie et al. 2018): resize the s×s image to a random r×r with s ≤ r < S, then zero-pad it to
 * S×S at a random position. Xie et al. use 299 → [299, 331) → 331; for CIFAR the default is 32 → [32, 36) → 36.
 * The models here pool globally, so they accept the larger input. Random and differentiable (bilinear).
 */
public final class RandomResizePad implements Preprocessor {
    private final int outSize;

    public RandomResizePad(int outSize) {
        this.outSize = outSize;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        int s = (int) x.getShape().get(3);
        if (outSize <= s) {
            throw new io.advkit.util.UserError("resize-pad size " + outSize + " must exceed the image size " + s);
        }
        int r = s + rng.nextInt(outSize - s);
        NDArray resized = r == s ? x : JniUtils.interpolate((PtNDArray) x, new long[] {r, r}, 2, false);
        int pad = outSize - r;
        int top = rng.nextInt(pad + 1);
        int left = rng.nextInt(pad + 1);
        return resized.pad(new Shape(left, pad - left, top, pad - top), 0);
    }

    @Override
    public boolean differentiable() {
        return true;
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    public String name() {
        return "resize-pad:" + outSize;
    }
}

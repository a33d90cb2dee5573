package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.InputDiversity;

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
            throw io.advkit.util.UserError.invalid("defense", "resize-pad size " + outSize + " must exceed the image size " + s);
        }
        return InputDiversity.resizeAndPad(x, s + rng.nextInt(outSize - s), outSize, rng);
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

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Random;

/**
 * DI (Xie et al. 2019, "Improving transferability of adversarial examples with input diversity"): with
 * probability {@code diversityProb} the batch is shrunk to a random side in [⌊resizeRate·s⌋, s) and
 * zero-padded back to s at a random offset; otherwise left as is. The shape is kept, so any model
 * takes the result. Differentiable (bilinear resize).
 */
public final class InputDiversity implements InputTransform {
    private final double diversityProb;
    private final double resizeRate;

    public InputDiversity(double diversityProb, double resizeRate) {
        if (!(resizeRate > 0 && resizeRate <= 1) || !(diversityProb >= 0 && diversityProb <= 1)) {
            throw io.advkit.util.UserError.invalid(!(resizeRate > 0 && resizeRate <= 1) ? "di resize" : "di prob",
                    "input diversity needs a resize rate in (0, 1] and a probability in [0, 1], got " + resizeRate + " and " + diversityProb);
        }
        this.diversityProb = diversityProb;
        this.resizeRate = resizeRate;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        if (rng.nextDouble() >= diversityProb) {
            return x;
        }
        int side = (int) x.getShape().get(3);
        int smallest = (int) Math.floor(side * resizeRate);
        return resizeAndPad(x, smallest + rng.nextInt(Math.max(1, side - smallest)), side, rng);
    }

    /**
     * Bilinear resize to size×size, then zero padding to padTo×padTo at a uniformly random offset: the
     * transformation both DI and Xie et al.'s randomization defense are made of.
     */
    public static NDArray resizeAndPad(NDArray x, int size, int padTo, Random rng) {
        NDArray resized = size == x.getShape().get(3) ? x : JniUtils.interpolate((PtNDArray) x, new long[] {size, size}, 2, false); // 2 = bilinear
        int pad = padTo - size;
        int top = rng.nextInt(pad + 1);
        int left = rng.nextInt(pad + 1);
        return resized.pad(new Shape(left, pad - left, top, pad - top), 0);
    }

    @Override
    public String toString() {
        return "DI(p=" + diversityProb + ", resize_rate=" + resizeRate + ")";
    }
}

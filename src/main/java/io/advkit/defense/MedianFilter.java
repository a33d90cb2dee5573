package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Feature squeezing by a k×k median filter (Xu et al. 2018), per channel, with reflected borders. The median
 * is taken by sorting the k² shifted copies, which autograd can differentiate (the gradient flows to the
 * median pixel), so naive attacks do get a gradient.
 */
public final class MedianFilter implements Preprocessor {
    private final int k;

    public MedianFilter(int k) {
        if (k < 1 || k % 2 == 0) {
            throw io.advkit.util.UserError.invalid("defense", "median filter size must be odd, got " + k);
        }
        this.k = k;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        int p = k / 2;
        NDArray padded = reflectPad(reflectPad(x, p, 3), p, 2);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        List<NDArray> shifts = new ArrayList<>();
        for (int dy = 0; dy < k; dy++) {
            for (int dx = 0; dx < k; dx++) {
                shifts.add(padded.get(":, :, " + dy + ":" + (dy + h) + ", " + dx + ":" + (dx + w)));
            }
        }
        return NDArrays.stack(new NDList(shifts), 0).sort(0).get(shifts.size() / 2);
    }

    /** Mirror p rows/columns at both ends of {@code axis} (numpy's "reflect": the edge itself is not repeated). */
    static NDArray reflectPad(NDArray x, int p, int axis) {
        if (p == 0) {
            return x;
        }
        long n = x.getShape().get(axis);
        List<NDArray> parts = new ArrayList<>();
        for (int i = p; i >= 1; i--) {
            parts.add(slice(x, axis, i));
        }
        parts.add(x);
        for (int i = 1; i <= p; i++) {
            parts.add(slice(x, axis, n - 1 - i));
        }
        return NDArrays.concat(new NDList(parts), axis);
    }

    private static NDArray slice(NDArray x, int axis, long i) {
        return axis == 3 ? x.get(":, :, :, " + i + ":" + (i + 1)) : x.get(":, :, " + i + ":" + (i + 1) + ", :");
    }

    @Override
    public String name() {
        return "median:" + k;
    }
}

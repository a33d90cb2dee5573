package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Per-image choices between two batches, as attacks keep each image's best point. */
final class Masks {
    private Masks() {}

    /** Per image: {@code a} where mask is 1, else {@code b} (both N×…; the mask lives in {@code m}). */
    static NDArray where(NDManager m, float[] mask, NDArray a, NDArray b) {
        long[] shape = new long[a.getShape().dimension()];
        java.util.Arrays.fill(shape, 1);
        shape[0] = mask.length;
        NDArray w = m.create(mask).reshape(shape);
        return a.mul(w).add(b.mul(w.neg().add(1f)));
    }

    static boolean all(boolean[] b) {
        for (boolean v : b) {
            if (!v) {
                return false;
            }
        }
        return true;
    }

    static boolean any(float[] mask) {
        for (float v : mask) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }
}

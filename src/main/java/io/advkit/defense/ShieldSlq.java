package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Random;

/**
 * SHIELD's Stochastic Local Quantization (Das et al., KDD 2018): the image is JPEG-compressed at every
 * quality of {20, 40, 60, 80}, and each 8×8 block of the output is taken from one of those versions
 * chosen at random, so the quantization differs block by block and call by call. Not differentiable, random.
 */
public final class ShieldSlq implements Preprocessor {
    public static final int[] QUALITIES = {20, 40, 60, 80};
    private static final int BLOCK = 8;

    @Override
    public NDArray apply(NDArray x, Random rng) {
        NDArray[] versions = JpegCompression.compressAll(x, QUALITIES);
        Shape s = x.getShape();
        if (s.get(1) != 3) {
            throw io.advkit.util.UserError.invalid("defense", name() + " compresses RGB images; these have " + s.get(1) + " channel(s)");
        }
        int n = (int) s.get(0);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[][] v = new float[QUALITIES.length][];
        for (int k = 0; k < v.length; k++) {
            v[k] = versions[k].toFloatArray();
        }
        float[] out = new float[v[0].length];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            for (int by = 0; by < h; by += BLOCK) {
                for (int bx = 0; bx < w; bx += BLOCK) {
                    int q = rng.nextInt(QUALITIES.length); // one quality per block, all channels
                    for (int c = 0; c < 3; c++) {
                        for (int yy = by; yy < Math.min(h, by + BLOCK); yy++) {
                            for (int xx = bx; xx < Math.min(w, bx + BLOCK); xx++) {
                                int idx = i * 3 * plane + c * plane + yy * w + xx;
                                out[idx] = v[q][idx];
                            }
                        }
                    }
                }
            }
        }
        return x.getManager().create(out, s);
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    public String name() {
        return "slq";
    }
}

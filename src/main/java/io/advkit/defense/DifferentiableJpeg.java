package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Scalars;

import java.util.HashMap;
import java.util.Map;

/**
 * JPEG as a differentiable function (Shin and Song 2017, "JPEG-resistant adversarial images"): the encoder's steps
 * in tensor operations — RGB to YCbCr, 4:2:0 chroma subsampling (2×2 means), 8×8 block DCT, division by the IJG
 * tables scaled to the quality — with the quantizer's rounding replaced by ⌊q⌉ + (q − ⌊q⌉)³, which agrees with
 * rounding at the integers and has the non-zero derivative 3(q − ⌊q⌉)²; then the decoder's steps back (nearest-
 * then libjpeg's triangular chroma upsampling). Its value is close to the real codec's, so as BPDA's stand-in it passes a gradient
 * that knows which frequencies JPEG removes, where the identity passes all of them.
 */
public final class DifferentiableJpeg {
    private static final int[] LUMA = {
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99};
    private static final int[] CHROMA = {
        17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99};

    /** Engine-owned constants (the DCT matrix, the scaled tables), kept for the process: graphs save them for backward. */
    private static final NDManager CONSTANTS = NDManager.newBaseManager();
    private static final Map<String, NDArray> CACHE = new HashMap<>();

    private DifferentiableJpeg() {}

    /** The IJG table scaled to {@code quality} (1..100), as libjpeg's jpeg_set_quality and Java's writer scale it. */
    static int[] scaledTable(int[] base, int quality) {
        int scale = quality < 50 ? 5000 / quality : 200 - 2 * quality;
        int[] t = new int[64];
        for (int i = 0; i < 64; i++) {
            t[i] = Math.max(1, Math.min(255, (base[i] * scale + 50) / 100));
        }
        return t;
    }

    /** The JPEG-like image of x (N×3×H×W in [0,1]) at {@code quality}; H and W are padded to 16 by edge copies. */
    public static NDArray apply(NDArray x, int quality) {
        Shape s = x.getShape();
        long h = s.get(2);
        long w = s.get(3);
        NDArray p = Scalars.times(padTo16(x), 255);
        NDArray r = p.get(":, 0");
        NDArray g = p.get(":, 1");
        NDArray b = p.get(":, 2");
        NDArray y = mix(r, g, b, 0.299, 0.587, 0.114, 0);
        NDArray cb = subsample(mix(r, g, b, -0.168736, -0.331264, 0.5, 128));
        NDArray cr = subsample(mix(r, g, b, 0.5, -0.418688, -0.081312, 128));
        NDArray yq = quantize(y, table("luma", LUMA, quality));
        NDArray cbq = upsample(quantize(cb, table("chroma", CHROMA, quality))).sub(128);
        NDArray crq = upsample(quantize(cr, table("chroma", CHROMA, quality))).sub(128);
        NDArray rr = yq.add(Scalars.times(crq, 1.402));
        NDArray gg = yq.sub(Scalars.times(cbq, 0.344136)).sub(Scalars.times(crq, 0.714136));
        NDArray bb = yq.add(Scalars.times(cbq, 1.772));
        NDArray rgb = Scalars.over(rr.stack(gg, 1).concat(bb.expandDims(1), 1), 255).clip(0, 1);
        return rgb.get(":, :, :" + h + ", :" + w);
    }

    private static NDArray mix(NDArray r, NDArray g, NDArray b, double kr, double kg, double kb, double offset) {
        return Scalars.times(r, kr).add(Scalars.times(g, kg)).add(Scalars.times(b, kb)).add(offset);
    }

    /** 4:2:0: the mean of each 2×2 block. */
    private static NDArray subsample(NDArray c) {
        Shape s = c.getShape();
        return c.reshape(s.get(0), s.get(1) / 2, 2, s.get(2) / 2, 2).mean(new int[] {4}).mean(new int[] {2});
    }

    /**
     * libjpeg's "fancy" 2× upsampling, separably on rows and columns: each output sample is ¾ of its own chroma
     * sample and ¼ of the nearer neighbour (edges repeated), a triangle filter rather than nearest-neighbour copies.
     */
    private static NDArray upsample(NDArray c) {
        return upsample2(upsample2(c, 1), 2);
    }

    private static NDArray upsample2(NDArray c, int axis) {
        long len = c.getShape().get(axis);
        String all = ":, ".repeat(axis);
        NDArray prev = c.get(all + "0:1").concat(c.get(all + "0:" + (len - 1)), axis);
        NDArray next = c.get(all + "1:").concat(c.get(all + (len - 1) + ":"), axis);
        NDArray even = Scalars.times(c, 0.75).add(Scalars.times(prev, 0.25));
        NDArray odd = Scalars.times(c, 0.75).add(Scalars.times(next, 0.25));
        Shape s = c.getShape();
        long[] out = s.getShape().clone();
        out[axis] = 2 * len;
        return even.stack(odd, axis + 1).reshape(new Shape(out));
    }

    /** Level shift, 8×8 DCT, rounding of coefficient/table (cubic approximation), and back. */
    private static NDArray quantize(NDArray plane, NDArray table) {
        Shape s = plane.getShape();
        long n = s.get(0);
        long bh = s.get(1) / 8;
        long bw = s.get(2) / 8;
        NDArray d = dct(false);
        NDArray dt = dct(true);
        NDArray blocks = plane.sub(128).reshape(n, bh, 8, bw, 8).transpose(0, 1, 3, 2, 4);
        // D·B·Dᵀ written with the data as the first operand everywhere ((B·Dᵀ)ᵀ·Dᵀ, transposed): a result belongs to
        // its first operand's manager, and the constants' manager lives as long as the process
        NDArray q = blocks.matMul(dt).swapAxes(-1, -2).matMul(dt).swapAxes(-1, -2).div(table);
        NDArray rounded = q.abs().add(0.5).floor().mul(q.sign()).stopGradient(); // half away from zero, as libjpeg's quantizer
        NDArray e = q.sub(rounded);
        NDArray coefficients = rounded.add(e.mul(e).mul(e)).mul(table);
        NDArray back = coefficients.matMul(d).swapAxes(-1, -2).matMul(d).swapAxes(-1, -2).add(128); // Dᵀ·C·D, data first
        return back.transpose(0, 1, 3, 2, 4).reshape(n, bh * 8, bw * 8);
    }

    /** The orthonormal 8×8 DCT-II matrix D (JPEG's transform is D·B·Dᵀ), or its transpose. */
    private static synchronized NDArray dct(boolean transposed) {
        return CACHE.computeIfAbsent(transposed ? "dct-t" : "dct", k -> {
            float[] m = new float[64];
            for (int u = 0; u < 8; u++) {
                for (int i = 0; i < 8; i++) {
                    double v = (u == 0 ? Math.sqrt(1 / 8.0) : Math.sqrt(2 / 8.0)) * Math.cos((2 * i + 1) * u * Math.PI / 16);
                    m[transposed ? i * 8 + u : u * 8 + i] = (float) v;
                }
            }
            return engineOwned(m, new Shape(8, 8));
        });
    }

    private static synchronized NDArray table(String kind, int[] base, int quality) {
        return CACHE.computeIfAbsent(kind + quality, k -> {
            int[] t = scaledTable(base, quality);
            float[] f = new float[64];
            for (int i = 0; i < 64; i++) {
                f[i] = t[i];
            }
            return engineOwned(f, new Shape(8, 8));
        });
    }

    private static NDArray engineOwned(float[] values, Shape shape) {
        try (NDArray fromJava = CONSTANTS.create(values, shape)) {
            NDArray copy = fromJava.duplicate(); // in libtorch's allocator, not over a Java buffer (see Scalars)
            copy.attach(CONSTANTS);
            return copy;
        }
    }

    /** How many arrays the constants' manager holds (a test's check that nothing per call lands there). */
    static int constantsHeld() {
        return ((ai.djl.ndarray.BaseNDManager) CONSTANTS).getManagedArrays().size();
    }

    /** Pads H and W up to multiples of 16 by repeating the last row and column, as encoders pad partial blocks. */
    private static NDArray padTo16(NDArray x) {
        NDArray y = x;
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (h % 16 != 0) {
            NDArray last = y.get(":, :, -1:, :");
            y = y.concat(last.repeat(2, 16 - h % 16), 2);
        }
        if (w % 16 != 0) {
            NDArray last = y.get(":, :, :, -1:");
            y = y.concat(last.repeat(3, 16 - w % 16), 3);
        }
        return y;
    }
}

package io.advkit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.Random;

/**
 * Whether the engine computes, on this CPU, the convolutions that {@link ChannelTails} pads for advkit's own networks:
 * a 3×3 convolution from 17 channels to 12, forward and input gradient, against its closed form. advkit's networks are
 * right either way; a TorchScript model is run as given, so its loader warns when the answer is no.
 */
public final class EngineCheck {
    private static volatile Boolean tailsRight;
    private static boolean warned;

    private EngineCheck() {}

    /** The check's verdict, computed once per process (a few milliseconds). */
    public static boolean channelTailsComputedRight() {
        Boolean v = tailsRight;
        if (v == null) {
            v = compute();
            tailsRight = v;
        }
        return v;
    }

    /**
     * Prints, once per process, a one-line warning that a model advkit runs as given (TorchScript) may be computed
     * wrongly here, when this engine gets the check wrong; nothing otherwise.
     */
    static synchronized void warnAbout(String model) {
        if (!warned && !channelTailsComputedRight()) {
            warned = true;
            System.err.println("advkit: warning: this CPU's oneDNN computes convolutions wrongly when a channel count is not a multiple "
                    + "of 16; advkit's own networks avoid that, but " + model + " (TorchScript) runs as given: set ONEDNN_MAX_CPU_ISA=SSE41 "
                    + "if it has such layers (slower; see docs/BENCHMARKS.md)");
        }
    }

    private static boolean compute() {
        int n = 2;
        int in = 17;
        int out = 12;
        int side = 8;
        Random rng = new Random(1);
        float[] xs = random(rng, n * in * side * side);
        float[] ws = random(rng, out * in * 9);
        float[] rs = random(rng, n * out * side * side);
        float[] y;
        float[] gx;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(xs, new Shape(n, in, side, side));
            NDArray w = m.create(ws, new Shape(out, in, 3, 3));
            NDArray r = m.create(rs, new Shape(n, out, side, side));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1).singletonOrThrow();
                y = z.toFloatArray();
                gc.backward(z.mul(r).sum());
            }
            gx = x.getGradient().toFloatArray();
        }
        double[] yRef = new double[y.length];
        double[] gRef = new double[gx.length];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                for (int h = 0; h < side; h++) {
                    for (int v = 0; v < side; v++) {
                        int yi = ((b * out + o) * side + h) * side + v;
                        for (int i = 0; i < in; i++) {
                            for (int kh = 0; kh < 3; kh++) {
                                for (int kw = 0; kw < 3; kw++) {
                                    int ih = h + kh - 1;
                                    int iw = v + kw - 1;
                                    if (ih >= 0 && iw >= 0 && ih < side && iw < side) {
                                        int xi = ((b * in + i) * side + ih) * side + iw;
                                        double wv = ws[((o * in + i) * 3 + kh) * 3 + kw];
                                        yRef[yi] += wv * xs[xi];
                                        gRef[xi] += wv * rs[yi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return close(y, yRef) && close(gx, gRef);
    }

    private static float[] random(Random rng, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = rng.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static boolean close(float[] a, double[] ref) {
        double scale = 1e-9;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            d = Math.max(d, Math.abs(a[i] - ref[i]));
        }
        return d <= 1e-4 * scale;
    }
}

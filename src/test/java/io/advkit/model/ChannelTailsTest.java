package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.Test;

/**
 * Convolutions whose channel counts are not multiples of 16 ({@link ChannelTails}) compute the closed form
 * y[o, h, w] = b[o] + Σᵢ Σ_kh,kw W[o, i, kh, kw] · x[i, s·h + kh − p, s·w + kw − p]: values, input gradient and weight
 * gradient, for shapes the engine got wrong on the dev VM (17→12, 36→12 at stride 2, a DenseNet's 24→12, an SE
 * squeeze 64→4, a generator's 32→1, the TorchScript fixture's 3→4, 48→64 at stride 2), and a multiple of 32 for
 * contrast, which is not padded. On that machine, without the padding, this test fails by up to half the outputs' scale.
 */
class ChannelTailsTest {
    @Test
    void onlyUngroupedConvolutionsWithATailArePadded() {
        Shape one = new Shape(1, 1);
        Shape two = new Shape(2, 2);
        assertThat(ChannelTails.padded(new Shape(12, 17, 3, 3), 1, one)).isTrue();
        assertThat(ChannelTails.padded(new Shape(4, 3, 3, 3), 1, one)).isTrue(); // output tail (the input-gradient pass)
        assertThat(ChannelTails.padded(new Shape(16, 3, 3, 3), 1, one)).isFalse(); // a stem: up to 16 inputs are read right
        assertThat(ChannelTails.padded(new Shape(64, 32, 3, 3), 1, one)).isFalse();
        assertThat(ChannelTails.padded(new Shape(64, 48, 3, 3), 1, one)).isFalse();
        assertThat(ChannelTails.padded(new Shape(64, 48, 3, 3), 1, two)).isTrue(); // strided: blocks of 32
        assertThat(ChannelTails.padded(new Shape(32, 16, 3, 3), 1, two)).isFalse(); // the ResNets' first strided convolution
        assertThat(ChannelTails.padded(new Shape(128, 4, 3, 3), 32, one)).isFalse(); // ResNeXt's grouped convolutions
    }

    @Test
    void paddedConvolutionsComputeTheClosedForm() {
        int[][] cases = { // in, out, kernel, stride, padding, side
            {17, 12, 3, 1, 1, 8}, {36, 12, 3, 2, 1, 8}, {24, 12, 3, 1, 1, 16}, {64, 4, 1, 1, 0, 8}, {32, 1, 3, 1, 1, 8}, {3, 4, 3, 1, 1, 8},
            {48, 64, 3, 2, 1, 8}, {32, 32, 3, 1, 1, 8}};
        for (int[] c : cases) {
            check(c[0], c[1], c[2], c[3], c[4], c[5]);
        }
    }

    private static void check(int in, int out, int k, int stride, int pad, int side) {
        String what = in + "→" + out + " " + k + "×" + k + " stride " + stride;
        int n = 2;
        int o = (side + 2 * pad - k) / stride + 1;
        Layers.Conv2d conv = new Layers.Conv2d(in, out, k, stride, pad, 1, true);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(in * 31 + out);
            conv.initialize(m, DataType.FLOAT32, new Shape(n, in, side, side));
            conv.biasOrNull().set(m.randomUniform(-1, 1, new Shape(out)).toFloatArray());
            conv.setTrainable(true);
            NDArray x = m.randomUniform(-1, 1, new Shape(n, in, side, side));
            NDArray r = m.randomUniform(-1, 1, new Shape(n, out, o, o)); // the loss Σ y·r, so dL/dy = r
            x.setRequiresGradient(true);
            float[] y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray z = conv.forward(x, true);
                assertThat(z.getShape()).as(what).isEqualTo(new Shape(n, out, o, o));
                y = z.toFloatArray();
                gc.backward(z.mul(r).sum());
            }
            float[] gx = x.getGradient().toFloatArray();
            float[] gw = conv.weight().getGradient().toFloatArray();
            float[] gb = conv.biasOrNull().getGradient().toFloatArray();
            float[] xs = x.toFloatArray();
            float[] w = conv.weight().toFloatArray();
            float[] b = conv.biasOrNull().toFloatArray();
            float[] rs = r.toFloatArray();

            double[] yRef = new double[n * out * o * o];
            double[] gxRef = new double[xs.length];
            double[] gwRef = new double[w.length];
            double[] gbRef = new double[out];
            for (int s = 0; s < n; s++) {
                for (int c = 0; c < out; c++) {
                    for (int h = 0; h < o; h++) {
                        for (int v = 0; v < o; v++) {
                            int yi = ((s * out + c) * o + h) * o + v;
                            double acc = b[c];
                            gbRef[c] += rs[yi];
                            for (int i = 0; i < in; i++) {
                                for (int kh = 0; kh < k; kh++) {
                                    for (int kw = 0; kw < k; kw++) {
                                        int ih = h * stride + kh - pad;
                                        int iw = v * stride + kw - pad;
                                        if (ih < 0 || iw < 0 || ih >= side || iw >= side) {
                                            continue;
                                        }
                                        int xi = ((s * in + i) * side + ih) * side + iw;
                                        int wi = ((c * in + i) * k + kh) * k + kw;
                                        acc += (double) w[wi] * xs[xi];
                                        gxRef[xi] += w[wi] * rs[yi];
                                        gwRef[wi] += xs[xi] * rs[yi];
                                    }
                                }
                            }
                            yRef[yi] = acc;
                        }
                    }
                }
            }
            assertThat(maxRelative(y, yRef)).as(what + " values").isLessThan(1e-4);
            assertThat(maxRelative(gx, gxRef)).as(what + " input gradient").isLessThan(1e-4);
            assertThat(maxRelative(gw, gwRef)).as(what + " weight gradient").isLessThan(1e-4);
            assertThat(maxRelative(gb, gbRef)).as(what + " bias gradient").isLessThan(1e-4);
        }
    }

    private static double maxRelative(float[] a, double[] ref) {
        double scale = 1e-6;
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            d = Math.max(d, Math.abs(a[i] - ref[i]));
        }
        return d / scale;
    }
}

package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * A {@link Layers.Conv2d} (trainable, with a bias) against the closed form of the convolution, in double sums:
 * y[o, h, w] = b[o] + Σᵢ Σ_kh,kw W[o, i, kh, kw] · x[i, s·h + kh − p, s·w + kw − p], its input gradient, weight gradient
 * and bias gradient for the loss Σ y·r with a random r. Independent of the engine's arithmetic.
 */
final class ConvolutionClosedForm {
    private ConvolutionClosedForm() {}

    /** Two images of {@code side}×{@code side}, in → out channels, a k×k kernel at this stride and padding. */
    static void check(int in, int out, int k, int stride, int pad, int side) {
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
            assertThat(RelativeError.max(y, yRef)).as(what + " values").isLessThan(1e-4);
            assertThat(RelativeError.max(gx, gxRef)).as(what + " input gradient").isLessThan(1e-4);
            assertThat(RelativeError.max(gw, gwRef)).as(what + " weight gradient").isLessThan(1e-4);
            assertThat(RelativeError.max(gb, gbRef)).as(what + " bias gradient").isLessThan(1e-4);
        }
    }
}

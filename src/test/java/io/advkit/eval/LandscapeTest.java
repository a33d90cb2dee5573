package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.data.DecodedImages;
import io.advkit.model.Classifier;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * On a linear two-class model every start climbs to the same corner of the ball, where the loss has a closed form:
 * the landscape is one spike at the maximum (CE = softplus(d·x + ε‖d‖₁) for d = w₁ − w₀, true class 0).
 */
class LandscapeTest {
    @Test
    void everyStartOfALinearModelEndsAtTheClosedFormMaximum() {
        int dim = 3 * 2 * 2;
        float[] w0 = new float[dim];
        float[] w1 = new float[dim];
        java.util.Random r = new java.util.Random(2);
        for (int i = 0; i < dim; i++) {
            w0[i] = (float) r.nextGaussian();
            w1[i] = (float) r.nextGaussian();
        }
        byte[] pixels = new byte[dim];
        java.util.Arrays.fill(pixels, (byte) 128); // mid-grey: the box never binds at eps 8
        DecodedImages one = new DecodedImages(List.of("a.png"), new int[] {0}, 2, 2, 3, pixels, List.of(), "grey");
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = new float[2 * dim];
            System.arraycopy(w0, 0, flat, 0, dim);
            System.arraycopy(w1, 0, flat, dim, dim);
            NDArray wT = m.create(flat, new Shape(2, dim)).transpose();
            Classifier linear = new Classifier() {
                public NDArray logits(NDArray x) {
                    return x.reshape(x.getShape().get(0), -1).matMul(wT);
                }

                public int numClasses() {
                    return 2;
                }

                public String name() {
                    return "linear";
                }
            };
            ThreatModel eps8 = new ThreatModel(Norm.LINF, 8 / 255.0);
            Landscape.Result res = Landscape.run(linear, one, eps8, 10, 30, 16, 0, true);
            double x = 128 / 255.0;
            double margin = 0;
            double l1 = 0;
            for (int i = 0; i < dim; i++) {
                margin += (w1[i] - w0[i]) * x;
                l1 += Math.abs(w1[i] - w0[i]);
            }
            double want = Math.log1p(Math.exp(margin + eps8.eps() * l1));
            Landscape.Image im = res.images().get(0);
            assertThat(im.losses()).hasSize(30);
            assertThat(im.min()).isCloseTo(want, within(1e-4));
            assertThat(im.max()).isCloseTo(want, within(1e-4));
            assertThat(im.std()).isLessThan(1e-4);
            assertThat(res.kind()).isEqualTo("landscape");
        }
    }
}

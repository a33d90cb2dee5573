package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.Classifier;

import org.junit.jupiter.api.Test;

/** AN-PGD's bisection finds the decision boundary along the segment, which for a linear model has a closed form. */
class MmaTrainingTest {
    /** Two classes, logit difference z₁ − z₀ = w·x + b. */
    private static Classifier linear(NDManager m, float[] w, float b) {
        NDArray wc = m.create(w, new Shape(w.length, 1));
        return new Classifier() {
            @Override
            public NDArray logits(NDArray x) {
                NDArray diff = x.reshape(x.getShape().get(0), -1).matMul(wc).add(b);
                return diff.zerosLike().concat(diff, 1);
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public String name() {
                return "linear";
            }
        };
    }

    @Test
    void bisectionStopsJustPastTheBoundaryOnTheSegment() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] w = {1f, -2f, 0.5f, 1f};
            float b = -0.5f;
            Classifier f = linear(m, w, b);
            // image 0: class 0, pushed across by d; image 1: already wrong; image 2: d does not reach the boundary
            float[][] xs = {{0.1f, 0.2f, 0.1f, 0.1f}, {0.9f, 0.1f, 0.2f, 0.6f}, {0.1f, 0.3f, 0.1f, 0.1f}};
            float[][] ds = {{0.4f, -0.3f, 0.2f, 0.4f}, {0.1f, 0.1f, 0.1f, 0.1f}, {0.05f, 0f, 0f, 0f}};
            float[] flatX = new float[12];
            float[] flatA = new float[12];
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 4; k++) {
                    flatX[i * 4 + k] = xs[i][k];
                    flatA[i * 4 + k] = xs[i][k] + ds[i][k];
                }
            }
            NDArray x = m.create(flatX, new Shape(3, 1, 2, 2));
            NDArray adv = m.create(flatA, new Shape(3, 1, 2, 2));
            NDArray y = m.create(new long[] {0, 0, 0});
            float[] out = MmaTraining.marginPoints(f, x, y, adv, 12).toFloatArray();
            double wx = 0;
            double wd = 0;
            for (int k = 0; k < 4; k++) {
                wx += w[k] * xs[0][k];
                wd += w[k] * ds[0][k];
            }
            double tStar = -(wx + b) / wd; // where w·(x + t·d) + b = 0
            assertThat(tStar).isBetween(0.0, 1.0);
            double t = (out[0] - xs[0][0]) / ds[0][0];
            assertThat(t).isGreaterThanOrEqualTo(tStar - 1e-6).isCloseTo(tStar, within(1.0 / (1 << 12) + 1e-6));
            for (int k = 0; k < 4; k++) {
                assertThat(out[4 + k]).as("misclassified: x itself").isEqualTo(xs[1][k]);
                assertThat(out[8 + k]).as("not flipped: PGD's point").isCloseTo(xs[2][k] + ds[2][k], within(1e-6f));
            }
        }
    }
}

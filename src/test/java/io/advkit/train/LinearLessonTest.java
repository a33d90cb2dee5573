package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.attack.Gradients;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** FGSM training of a linear model is an L1 penalty: the course's derivation, checked against autograd's FGSM. */
class LinearLessonTest {
    @Test
    void theFgsmLossIsTheStandardLossWithTheMarginCutByEpsTimesTheL1Norm() {
        Random r = new Random(5);
        int dim = 20;
        double eps = 0.1;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int trial = 0; trial < 20; trial++) {
                float[] w = new float[dim];
                float[] x = new float[dim];
                double l1 = 0;
                for (int i = 0; i < dim; i++) {
                    w[i] = (float) r.nextGaussian();
                    x[i] = r.nextFloat();
                    l1 += Math.abs(w[i]);
                }
                double b = r.nextGaussian();
                int y = r.nextBoolean() ? 1 : -1;
                NDArray wa = m.create(w);
                // FGSM by autograd: x' = x + eps * sign(grad_x softplus(-y (w.x + b)))
                NDArray xa = m.create(x).reshape(1, dim);
                NDArray g = Gradients.of(xi -> xi.matMul(wa.reshape(dim, 1)).add((float) b).mul(-y).exp().add(1).log().reshape(1), xa, m).gradient();
                NDArray adv = xa.add(g.sign().mul((float) eps));
                float[] advX = adv.toFloatArray();
                assertThat(advX).containsExactly(LinearLesson.fgsm(w, x, y, eps), within(1e-6f));
                double fx = LinearLesson.margin(w, b, x);
                double lossAdv = LinearLesson.softplus(-y * LinearLesson.margin(w, b, advX));
                assertThat(lossAdv).isCloseTo(LinearLesson.softplus(eps * l1 - y * fx), within(1e-4));
                // on a badly misclassified point softplus is linear: the standard loss plus eps * |w|_1
                double far = -y * 50; // b shifted so that y f(x) = -50
                double lossAdvFar = LinearLesson.softplus(-y * LinearLesson.margin(w, b + far - fx, advX));
                assertThat(lossAdvFar).isCloseTo(LinearLesson.softplus(-y * LinearLesson.margin(w, b + far - fx, x)) + eps * l1, within(1e-3));
            }
        }
    }

    /** Two informative features among 40 noisy ones: FGSM training keeps the two and zeroes the rest. */
    @Test
    void fgsmTrainingMakesTheWeightsSparseAndTheModelRobust() {
        Random r = new Random(1);
        int n = 2000;
        int dim = 42;
        float[][] x = new float[n][dim];
        int[] y = new int[n];
        for (int k = 0; k < n; k++) {
            y[k] = k % 2 == 0 ? 1 : -1;
            for (int i = 0; i < dim; i++) {
                x[k][i] = (float) (0.5 + 0.15 * r.nextGaussian() + (i < 2 ? 0.25 * y[k] : 0));
            }
        }
        LinearLesson.Data d = new LinearLesson.Data(x, y);
        LinearLesson.Result res = LinearLesson.run("synthetic", java.util.List.of("a", "b"), 1, dim, d, d, 0.1, 10, 0.1, 0);
        LinearLesson.Model standard = res.models().get(0);
        LinearLesson.Model fgsm = res.models().get(1);
        assertThat(standard.clean()).isGreaterThan(95);
        assertThat(fgsm.fgsm()).isGreaterThan(standard.fgsm() + 5); // measured 71.4 -> 79.3
        assertThat(fgsm.l1()).isLessThan(standard.l1() / 2);
        assertThat(fgsm.nearZero()).isGreaterThan(standard.nearZero() + 40); // measured 0% -> 95%
    }
}

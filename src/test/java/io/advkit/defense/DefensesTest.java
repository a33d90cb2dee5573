package io.advkit.defense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.Gradients;
import io.advkit.attack.Loss;
import io.advkit.model.Classifier;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DefensesTest {
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** logits = [Σ w·x², 0]: a nonlinear toy model, so the gradient depends on where it is evaluated. */
    private Classifier quadratic(float[] w) {
        NDArray wa = m.create(w, new Shape(1, w.length));
        return new Classifier() {
            public NDArray logits(NDArray x) {
                NDArray flat = x.reshape(x.getShape().get(0), -1);
                NDArray s = flat.square().mul(wa).sum(new int[] {1}).reshape(-1, 1);
                return s.concat(s.zerosLike(), 1);
            }

            public int numClasses() {
                return 2;
            }

            public String name() {
                return "quadratic";
            }
        };
    }

    private float[] weights(int n, long seed) {
        Random r = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian();
        }
        return w;
    }

    @Test
    void bpdaGradientIsTheInnerGradientAtThePreprocessedInputPassedStraightThrough() {
        int d = 3 * 8 * 8;
        Classifier inner = quadratic(weights(d, 1));
        NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
        NDArray y = m.create(new long[] {1, 1});
        DefendedModel bpda = new DefendedModel(inner, List.of(new BitDepthReduction(3)), GradientMode.BPDA,
                DefendedModel.Approximation.IDENTITY, 1, 0);
        NDArray got = Gradients.of(xi -> Loss.CE.perExample(bpda.logits(xi), y), x, m).gradient();
        // identity approximation: d/dx L(inner(f(x))) ≈ (∇_z L(inner(z)))|_{z = f(x)}
        NDArray fx = new BitDepthReduction(3).apply(x, null);
        NDArray want = Gradients.of(z -> Loss.CE.perExample(inner.logits(z), y), fx, m).gradient();
        assertThat(got.sub(want).abs().max().getFloat()).isLessThan(1e-6f);
        assertThat(want.abs().max().getFloat()).isGreaterThan(1e-3f); // a real, non-zero gradient
        // naive: nothing flows back through the quantization
        DefendedModel naive = bpda.withMode(GradientMode.NAIVE, 0);
        assertThat(Gradients.of(xi -> Loss.CE.perExample(naive.logits(xi), y), x, m).gradient().abs().max().getFloat()).isZero();
        // and the forward value is the real defense in every mode
        assertThat(bpda.logits(x).sub(inner.logits(fx)).abs().max().getFloat()).isLessThan(1e-5f);
    }

    @Test
    void eotWithOneDrawIsOneDrawsGradient() {
        int d = 3 * 8 * 8;
        Classifier inner = quadratic(weights(d, 2));
        NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
        NDArray y = m.create(new long[] {0, 1});
        DefendedModel eot1 = new DefendedModel(inner, List.of(new GaussianNoise(0.1)), GradientMode.EOT, DefendedModel.Approximation.IDENTITY, 1, 42);
        assertThat(eot1.gradientSamples()).isEqualTo(1);
        NDArray got = Gradients.averaged(xi -> Loss.CE.perExample(eot1.logits(xi), y), x, m, eot1.gradientSamples()).gradient();
        // one draw by hand, from the same seed
        Random rng = new Random(42);
        NDArray want = Gradients.of(xi -> Loss.CE.perExample(inner.logits(new GaussianNoise(0.1).apply(xi, rng)), y), x, m).gradient();
        assertThat(got.sub(want).abs().max().getFloat()).isLessThan(1e-6f);
        // a batch's draws depend on its seed only, not on what ran before (a resumed job sees what an uninterrupted one did)
        eot1.startBatch(7);
        float[] first = eot1.preprocess(x).toFloatArray();
        eot1.preprocess(x);
        eot1.startBatch(7);
        assertThat(eot1.preprocess(x).toFloatArray()).containsExactly(first);
        eot1.startBatch(8);
        assertThat(eot1.preprocess(x).toFloatArray()).isNotEqualTo(first);
        // K draws average K different gradients
        DefendedModel eot8 = eot1.withMode(GradientMode.EOT, 42);
        DefendedModel eight = new DefendedModel(inner, List.of(new GaussianNoise(0.1)), GradientMode.EOT, DefendedModel.Approximation.IDENTITY, 8, 42);
        assertThat(eight.gradientSamples()).isEqualTo(8);
        assertThat(eot8.gradientSamples()).isEqualTo(1);
    }

    @Test
    void everySlqBlockIsOneOfTheFourJpegQualities() {
        Engine.getInstance().setRandomSeed(3);
        NDArray x = m.randomUniform(0, 1, new Shape(3, 3, 32, 32));
        NDArray out = new ShieldSlq().apply(x, new Random(5));
        NDArray[] versions = JpegCompression.compressAll(x, ShieldSlq.QUALITIES);
        float[] o = out.toFloatArray();
        float[][] v = new float[4][];
        for (int k = 0; k < 4; k++) {
            v[k] = versions[k].toFloatArray();
        }
        int[] used = new int[4];
        for (int i = 0; i < 3; i++) {
            for (int by = 0; by < 32; by += 8) {
                for (int bx = 0; bx < 32; bx += 8) {
                    int matches = 0;
                    int which = -1;
                    for (int k = 0; k < 4; k++) {
                        boolean same = true;
                        for (int c = 0; c < 3 && same; c++) {
                            for (int yy = by; yy < by + 8 && same; yy++) {
                                for (int xx = bx; xx < bx + 8 && same; xx++) {
                                    int idx = i * 3072 + c * 1024 + yy * 32 + xx;
                                    same = o[idx] == v[k][idx];
                                }
                            }
                        }
                        if (same) {
                            matches++;
                            which = k;
                        }
                    }
                    assertThat(matches).as("block (%d,%d) of image %d", by, bx, i).isGreaterThanOrEqualTo(1);
                    used[which]++;
                }
            }
        }
        for (int u : used) {
            assertThat(u).isPositive(); // all four qualities occur across the 48 blocks
        }
    }

    @Test
    void jpegChangesTheImageAndIsStableAtHighQuality() {
        NDArray x = m.randomUniform(0, 1, new Shape(1, 3, 32, 32));
        NDArray q10 = new JpegCompression(10).apply(x, null);
        NDArray q100 = new JpegCompression(100).apply(x, null);
        assertThat(q10.sub(x).abs().mean().getFloat()).isGreaterThan(q100.sub(x).abs().mean().getFloat());
        assertThat(q10.getShape()).isEqualTo(x.getShape());
    }

    @Test
    void medianFilterRemovesSaltNoise() {
        float[] img = new float[3 * 5 * 5];
        java.util.Arrays.fill(img, 0.5f);
        img[2 * 5 + 2] = 1f; // one hot pixel in channel 0
        NDArray out = new MedianFilter(3).apply(m.create(img, new Shape(1, 3, 5, 5)), null);
        assertThat(out.sub(0.5f).abs().max().getFloat()).isLessThan(1e-6f);
        assertThat(new RandomResizePad(36).apply(m.zeros(new Shape(2, 3, 32, 32)), new Random(1)).getShape()).isEqualTo(new Shape(2, 3, 36, 36));
    }

    /** A blur keeps a flat image (away from the zero-padded border) and spreads a bright pixel into a Gaussian bump. */
    @Test
    void blurSmoothsAndPassesGradients() {
        float[] img = new float[3 * 9 * 9];
        java.util.Arrays.fill(img, 0.5f);
        img[4 * 9 + 4] = 1f;
        float[] out = ((GaussianBlur) Defenses.parseSteps("blur:3").get(0)).apply(m.create(img, new Shape(1, 3, 9, 9)), null).toFloatArray();
        assertThat(out[1 * 9 + 1]).isCloseTo(0.5f, within(1e-6f)); // flat neighbourhood
        assertThat(out[4 * 9 + 4]).isLessThan(1f).isGreaterThan(out[4 * 9 + 3]); // the peak spread to its neighbours
        assertThat(out[4 * 9 + 3]).isGreaterThan(0.5f);
        assertThat(out[9 * 9 + 4 * 9 + 4]).isCloseTo(0.5f, within(1e-6f)); // channels stay apart
        assertThat(new GaussianBlur(3).differentiable()).isTrue();
    }

    @Test
    void specsParse() {
        assertThat(Defenses.parseSteps("jpeg:75+bitdepth:4").stream().map(Preprocessor::name)).containsExactly("jpeg:75", "bitdepth:4");
        assertThat(Defenses.parseSteps("slq").get(0).random()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Defenses.parseSteps("jpeg:high"))
                .isInstanceOf(io.advkit.util.UserError.class).hasMessageContaining("not a whole number");
    }

    /**
     * "none|jpeg:75|bitdepth:3" draws one alternative per call: every output is one of the three, each appears over
     * draws, and the gradient passes as the identity whichever was drawn (BPDA through JPEG and the quantization).
     */
    @Test
    void aRandomChoiceDrawsEachAlternativeAndPassesTheGradient() {
        NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
        List<float[]> outputs = List.of(x.toFloatArray(), new JpegCompression(75).apply(x, new Random(0)).toFloatArray(),
                new BitDepthReduction(3).apply(x, new Random(0)).toFloatArray());
        DefendedModel d = (DefendedModel) Defenses.wrap(quadratic(weights(192, 1)), "none|jpeg:75|bitdepth:3", GradientMode.EOT,
                DefendedModel.Approximation.IDENTITY, 4, 7);
        assertThat(d.randomized()).isTrue();
        assertThat(d.gradientSamples()).isEqualTo(4);
        int[] seen = new int[3];
        for (int k = 0; k < 30; k++) {
            float[] y = d.preprocess(x).toFloatArray();
            int which = -1;
            for (int a = 0; a < 3 && which < 0; a++) {
                float[] o = outputs.get(a);
                double diff = 0;
                for (int i = 0; i < y.length; i++) {
                    diff = Math.max(diff, Math.abs(y[i] - o[i]));
                }
                if (diff < 1e-6) { // x + (f(x) − x) is f(x) up to one rounding
                    which = a;
                }
            }
            assertThat(which).as("draw %d is one of the alternatives", k).isNotNegative();
            seen[which]++;
            NDArray g = Gradients.of(xi -> d.preprocess(xi).sum(new int[] {1, 2, 3}), x, m).gradient();
            assertThat(g.sub(1).abs().max().getFloat()).isLessThan(1e-6f); // identity backward for every alternative
        }
        assertThat(seen[0] > 0 && seen[1] > 0 && seen[2] > 0).as(java.util.Arrays.toString(seen)).isTrue();
    }
}

package io.advkit.defense;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.Reparameterization;
import io.advkit.attack.ThreatModel;
import io.advkit.model.Classifier;
import io.advkit.model.GanGenerator;
import io.advkit.model.GeneratorFile;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Defense-GAN's projection, its two gradients (unrolled and BPDA), the generator file and the reparameterization attack. */
class DefenseGanTest {
    private static final GanGenerator.Spec SPEC = GanGenerator.Spec.of(3, 4, 1, 4); // 3 codes → 1×4×4 images

    @TempDir
    Path dir;

    private static GanGenerator generator(NDManager m) {
        Engine.getInstance().setRandomSeed(3);
        GanGenerator g = GanGenerator.create(SPEC, m);
        // a fresh generator's images all sit near 0.5; larger output weights give it a range worth projecting onto
        g.namedParameters().get("out.weight").getArray().muli(8);
        g.setTrainable(false);
        return g;
    }

    /** logits = W·vec(x): 4 classes over 16 pixels. */
    private static Classifier linear(NDManager m, long seed) {
        NDArray w = m.randomNormal(0, 1, new Shape(16, 4), ai.djl.ndarray.types.DataType.FLOAT32);
        Random r = new Random(seed);
        float[] v = new float[64];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        NDArray wT = m.create(v, new Shape(16, 4));
        w.close();
        return new Classifier() {
            @Override
            public NDArray logits(NDArray x) {
                return x.reshape(x.getShape().get(0), -1).matMul(wT);
            }

            @Override
            public int numClasses() {
                return 4;
            }

            @Override
            public int channels() {
                return 1;
            }

            @Override
            public String name() {
                return "linear";
            }
        };
    }

    private static double meanSquared(NDArray a, NDArray b) {
        return a.sub(b).square().mean().getFloat();
    }

    @Test
    void theProjectionRecoversImagesTheGeneratorMakes() {
        try (NDManager m = NDManager.newBaseManager()) {
            GanGenerator g = generator(m);
            NDArray x = g.forward(m.randomNormal(new Shape(5, 3)), false);
            DefenseGan paper = new DefenseGan(dir.resolve("g.advkit"), g, 10, 200);
            NDArray projected = paper.apply(x, new Random(1));
            NDArray start = g.forward(m.randomNormal(new Shape(5, 3)), false); // where a random code lands
            assertThat(projected.getShape()).isEqualTo(x.getShape());
            double error = meanSquared(projected, x);
            assertThat(error).isLessThan(meanSquared(start, x) / 10);
            // no descent at all: the best of the R random codes, a worse reconstruction
            assertThat(meanSquared(new DefenseGan(dir.resolve("g.advkit"), g, 10, 0).apply(x, new Random(1)), x)).isGreaterThan(error * 1.3);
        }
    }

    /** Σ c·G(z*(x)) with the codes drawn from a fixed seed, so the function is deterministic. */
    private static float projected(DefenseGan d, NDArray x, NDArray c) {
        return d.apply(x, new Random(7)).mul(c).sum().getFloat();
    }

    @Test
    void naiveGradientsAreThoseOfTheUnrolledDescent() {
        try (NDManager m = NDManager.newBaseManager()) {
            GanGenerator g = generator(m);
            DefenseGan d = new DefenseGan(dir.resolve("g.advkit"), g, 1, 4); // one restart: no arg-min switching
            NDArray x = m.randomUniform(0.2f, 0.8f, new Shape(1, 1, 4, 4));
            NDArray c = m.randomNormal(new Shape(1, 1, 4, 4));
            NDArray xi = x.duplicate();
            xi.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(d.apply(xi, new Random(7)).mul(c).sum());
            }
            NDArray grad = xi.getGradient();
            assertThat(grad.abs().sum().getFloat()).isGreaterThan(0f);
            for (int k = 0; k < 3; k++) {
                NDArray dir = m.randomNormal(new Shape(1, 1, 4, 4));
                double h = 1e-2;
                double fd = (projected(d, x.add(dir.mul(h)), c) - projected(d, x.sub(dir.mul(h)), c)) / (2 * h);
                double analytic = grad.mul(dir).sum().getFloat();
                assertThat(analytic).isCloseTo(fd, within(0.03 * Math.abs(fd) + 1e-4));
            }
        }
    }

    @Test
    void bpdaPassesTheClassifiersGradientAtTheProjectionStraightThrough() {
        try (NDManager m = NDManager.newBaseManager()) {
            GanGenerator g = generator(m);
            Classifier f = linear(m, 5);
            DefenseGan step = new DefenseGan(dir.resolve("g.advkit"), g, 2, 20);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 1, 4, 4));
            NDArray c = m.randomNormal(new Shape(2, 4));
            NDArray expected; // identity backward: ∂(c·W·v)/∂x = Wᵀc per image, whatever the projection did
            NDArray xi = x.duplicate();
            xi.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(f.logits(xi).mul(c).sum());
            }
            expected = xi.getGradient().duplicate();
            DefendedModel bpda = new DefendedModel(f, List.of(step), GradientMode.BPDA, DefendedModel.Approximation.IDENTITY, 1, 0);
            NDArray xb = x.duplicate();
            xb.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(bpda.logits(xb).mul(c).sum());
            }
            assertThat(xb.getGradient().sub(expected).abs().max().getFloat()).isLessThan(1e-5f);
            // and the forward value is the projection's, not the identity's
            assertThat(bpda.logits(x).sub(f.logits(x)).abs().max().getFloat()).isGreaterThan(1e-3f);
            // the naive gradient is the unrolled one: something else
            DefendedModel naive = bpda.withMode(GradientMode.NAIVE, 0);
            NDArray xn = x.duplicate();
            xn.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(naive.logits(xn).mul(c).sum());
            }
            assertThat(xn.getGradient().sub(expected).abs().max().getFloat()).isGreaterThan(1e-3f);
        }
    }

    @Test
    void theGeneratorFileRoundTripsAndTheSpecIsChecked() {
        try (NDManager m = NDManager.newBaseManager()) {
            GanGenerator g = generator(m);
            Path file = dir.resolve("gen.advkit");
            GeneratorFile.save(file, g, null);
            GanGenerator back = GeneratorFile.load(file, m);
            NDArray z = m.randomNormal(new Shape(3, 3));
            assertThat(back.forward(z, false).sub(g.forward(z, false)).abs().max().getFloat()).isEqualTo(0f);
            List<Preprocessor> steps = Defenses.parseSteps("defense-gan:" + file + ",3,7");
            assertThat(steps.get(0).name()).isEqualTo("defense-gan:gen.advkit,3,7");
            assertThat(steps.get(0).random()).isTrue();
            assertThatThrownBy(() -> Defenses.parseSteps("defense-gan:" + dir.resolve("none.advkit"))).isInstanceOf(UserError.class)
                    .hasMessageContaining("no generator file");
            assertThatThrownBy(() -> Defenses.parseSteps("defense-gan:" + file + ",ten")).isInstanceOf(UserError.class)
                    .hasMessageContaining("whole numbers");
            NDArray rgb = m.zeros(new Shape(1, 3, 4, 4));
            assertThatThrownBy(() -> steps.get(0).apply(rgb, new Random(0))).isInstanceOf(UserError.class)
                    .hasMessageContaining("1×4×4");
        }
    }

    @Test
    void theReparameterizationAttackFoolsTheDefendedModelWithinBudget() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            GanGenerator g = generator(m);
            Classifier f = linear(m, 11);
            DefendedModel defended = new DefendedModel(f, List.of(new DefenseGan(dir.resolve("g.advkit"), g, 4, 50)), GradientMode.NAIVE,
                    DefendedModel.Approximation.IDENTITY, 1, 0);
            NDArray x = g.forward(m.randomNormal(new Shape(8, 3)), false); // images the generator makes, as a GAN's training data would be
            NDArray y = m.create(AttackProblem.predict(defended, x)); // its own clean predictions: all correct
            ThreatModel tm = new ThreatModel(Norm.LINF, 0.4);
            List<Double> progress = new ArrayList<>();
            AttackProblem p = new AttackProblem(defended, x, y, y, false, Loss.CE, tm, new Random(0), m, progress::add);
            NDArray adv = new Reparameterization(60).run(p);
            for (float v : tm.distance(adv, x)) {
                assertThat(v).isLessThanOrEqualTo(0.4f + 1e-5f);
            }
            boolean[] fooled = p.success(adv);
            int count = 0;
            for (boolean b : fooled) {
                count += b ? 1 : 0;
            }
            // a tiny random generator projects poorly, so the defense often lands elsewhere than G(z): some, not all
            assertThat(count).as("images the defended model gets wrong (all right before)").isGreaterThanOrEqualTo(3);
            assertThat(progress).isSorted().last().isEqualTo(1.0);
            assertThatThrownBy(() -> new Reparameterization(5).requireUsableOn(f)).isInstanceOf(UserError.class)
                    .hasMessageContaining("generator's range");
        }
    }
}

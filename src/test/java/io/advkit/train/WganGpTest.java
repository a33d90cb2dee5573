package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.DecodedImages;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.GanCritic;
import io.advkit.model.GanGenerator;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WGAN-GP's gradient penalty against finite differences, and a resumed run equal to an uninterrupted one. */
class WganGpTest {
    private static final GanGenerator.Spec SPEC = GanGenerator.Spec.of(3, 4, 1, 4);

    @TempDir
    Path dir;

    /** The penalty per image; computed while gradients are recorded, as in training (its input gradient needs a graph). */
    private static float[] penalties(GanCritic d, NDArray x) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            return WganGp.gradientPenalty(d, x).toFloatArray();
        }
    }

    private static double penalty(GanCritic d, NDArray x) {
        float[] p = penalties(d, x);
        return p[0] + p[1];
    }

    @Test
    void thePenaltyAndItsWeightGradientMatchFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            GanCritic d = GanCritic.create(SPEC, m);
            d.setTrainable(true);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 1, 4, 4));
            // the penalty's value: (‖∇ₓD‖₂ − 1)² per image with ∇ₓD from central differences of the critic's score
            float[] base = x.toFloatArray();
            double[] sq = new double[2];
            double h = 1e-2;
            for (int k = 0; k < 16; k++) {
                float[] plus = base.clone();
                float[] minus = base.clone();
                for (int i = 0; i < 2; i++) {
                    plus[i * 16 + k] += h;
                    minus[i * 16 + k] -= h;
                }
                float[] up = d.forward(m.create(plus, x.getShape()), false).toFloatArray();
                float[] down = d.forward(m.create(minus, x.getShape()), false).toFloatArray();
                for (int i = 0; i < 2; i++) {
                    double gi = (up[i] - down[i]) / (2 * h);
                    sq[i] += gi * gi;
                }
            }
            float[] gp = penalties(d, x);
            for (int i = 0; i < 2; i++) {
                double expected = Math.pow(Math.sqrt(sq[i]) - 1, 2);
                assertThat((double) gp[i]).isCloseTo(expected, within(1e-3 * Math.max(1, expected)));
            }
            // its gradient with respect to weights (double backpropagation) against differences in the weights
            Parameter w = d.namedParameters().get("conv2.weight");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(WganGp.gradientPenalty(d, x).sum());
            }
            float[] analytic = w.getArray().getGradient().toFloatArray();
            NDArray bias = d.namedParameters().get("fc.bias").getArray();
            assertThat(bias.getGradient().abs().sum().getFloat()).as("a bias shifts the score, not its gradient").isEqualTo(0f);
            Random r = new Random(1);
            float[] values = w.getArray().toFloatArray();
            for (int t = 0; t < 4; t++) {
                int k = r.nextInt(values.length);
                double hw = 1e-3;
                float old = values[k];
                values[k] = (float) (old + hw);
                w.getArray().set(values);
                double up = penalty(d, x);
                values[k] = (float) (old - hw);
                w.getArray().set(values);
                double down = penalty(d, x);
                values[k] = old;
                w.getArray().set(values);
                double fd = (up - down) / (2 * hw);
                assertThat((double) analytic[k]).as("weight " + k).isCloseTo(fd, within(0.02 * Math.abs(fd) + 2e-3));
            }
        }
    }

    private static DecodedImages images(int n) {
        Random r = new Random(3);
        byte[] px = new byte[n * 16];
        r.nextBytes(px);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("0_" + i + ".png");
        }
        return new DecodedImages(names, new int[n], 4, 4, 1, px, null, "random 4x4");
    }

    private static WganGp.Config config() {
        return new WganGp.Config("g", SPEC, 4, 8, 2, 10, 1e-3, 0.5, 0.9, 7, 2, "random 4x4");
    }

    @Test
    void aRunStoppedAndResumedWritesTheSameGeneratorAsAnUninterruptedOne() {
        DecodedImages data = images(40);
        Path a = dir.resolve("a");
        WganGp straight = new WganGp(config(), a, true);
        assertThat(straight.run(data, false).iterations()).isEqualTo(4);
        Path b = dir.resolve("b");
        WganGp first = new WganGp(config(), b, true);
        first.requestStop(); // stops after its first iteration, checkpoint written
        assertThat(first.run(data, false)).isNull();
        assertThat(b.resolve("checkpoint.advkit")).exists();
        assertThat(b.resolve(WganGp.GENERATOR)).doesNotExist();
        assertThatThrownBy(() -> new WganGp(config(), b, true).run(data, false)).isInstanceOf(UserError.class)
                .hasMessageContaining("resume");
        WganGp.Config other = new WganGp.Config("g", SPEC, 4, 8, 3, 10, 1e-3, 0.5, 0.9, 7, 2, "random 4x4");
        assertThatThrownBy(() -> new WganGp(other, b, true).run(data, true)).isInstanceOf(UserError.class)
                .hasMessageContaining("critic_iters");
        assertThat(new WganGp(config(), b, true).run(data, true).iterations()).isEqualTo(4);
        StateDict ga = AdvkitModelFile.stateDictFrom(AdvkitModelFile.readEntries(a.resolve(WganGp.GENERATOR)).get("weights.pth"), "a");
        StateDict gb = AdvkitModelFile.stateDictFrom(AdvkitModelFile.readEntries(b.resolve(WganGp.GENERATOR)).get("weights.pth"), "b");
        assertThat(gb.keys()).isEqualTo(ga.keys());
        for (String k : ga.keys()) {
            assertThat(gb.get(k).toFloatArray()).as(k).containsExactly(ga.get(k).toFloatArray());
        }
        assertThat(a.resolve("samples.png")).exists();
        assertThatThrownBy(() -> new WganGp(config(), a, true).run(data, true)).isInstanceOf(UserError.class)
                .hasMessageContaining("finished");
        try {
            assertThat(Files.readAllLines(b.resolve("log.jsonl"))).hasSize(1 + 3); // header, iterations 1 (the stop), 2 and 4
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

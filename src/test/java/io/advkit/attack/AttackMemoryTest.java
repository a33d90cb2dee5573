package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.Classifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat within an attack: the number of live arrays, counted at every forward pass, does
 * not grow with the iterations. Covers the paths with an extra forward per step (EoT's averaged gradients,
 * success checks), whose activations once piled up in the attack's manager (gigabytes in an SLQ audit).
 */
class AttackMemoryTest {
    /** A linear model that averages over EoT draws and records how many arrays are alive at each forward. */
    private static final class CountingModel implements Classifier {
        private final LinearModel inner;
        private final NDManager root;
        final List<Integer> live = new ArrayList<>();

        CountingModel(LinearModel inner, NDManager root) {
            this.inner = inner;
            this.root = root;
        }

        @Override
        public NDArray logits(NDArray x) {
            live.add(((ai.djl.ndarray.BaseNDManager) root).getManagedArrays().size());
            return inner.logits(x.mul(1f).add(0f)); // a few temporaries per forward, like a real network's activations
        }

        @Override
        public int gradientSamples() {
            return 3; // as a random defense under EoT
        }

        @Override
        public int numClasses() {
            return inner.numClasses();
        }

        @Override
        public String name() {
            return "counting";
        }
    }

    private static List<Integer> liveCounts(Attack attack) {
        try (NDManager root = NDManager.newBaseManager()) {
            float[] w = new float[3 * 4 * 4];
            Random r = new Random(3);
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
            }
            CountingModel model = new CountingModel(new LinearModel(root, new float[][] {w, new float[w.length]}), root);
            try (NDManager m = root.newSubManager()) {
                NDArray x = m.full(new Shape(2, 3, 4, 4), 0.5f);
                NDArray y = m.full(new Shape(2), 1, DataType.INT64);
                AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, new ThreatModel(Norm.LINF, 8 / 255.0), new Random(1), m);
                p.success(attack.run(p));
            }
            return model.live;
        }
    }

    @Test
    void liveArraysDoNotGrowWithIterations() {
        StepSize step = StepSize.absolute(1 / 255.0);
        for (Attack a : List.<Attack>of(new APGD(30, Loss.CE, "ce"), new PGD(30, step, GradientPipeline.PLAIN),
                new MIFGSM(30, step, 1.0, GradientPipeline.PLAIN))) {
            List<Integer> live = liveCounts(a);
            // the count cycles within a step (temporaries come and go); its peak must not rise from step to step
            int early = live.subList(8, 24).stream().mapToInt(Integer::intValue).max().orElseThrow();
            int late = live.subList(live.size() - 16, live.size()).stream().mapToInt(Integer::intValue).max().orElseThrow();
            assertThat(late).as(a.name() + " live arrays at each forward: " + live).isLessThanOrEqualTo(early);
        }
    }

    /** Restarts keep one best point across rounds: the second round's peak is the last round's. */
    @Test
    void liveArraysDoNotGrowWithRestarts() {
        List<Integer> live = liveCounts(Restarts.of(PGD.withDefaultStep(10), 4));
        int round = live.size() / 4;
        int second = live.subList(round, 2 * round).stream().mapToInt(Integer::intValue).max().orElseThrow();
        int last = live.subList(3 * round, live.size()).stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(last).as("live arrays at each forward: " + live).isLessThanOrEqualTo(second);
    }
}

package io.advkit.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.Gradients;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Constant factors inside a differentiated computation survive a garbage collection between the forward and the
 * backward pass. With DJL's own {@code mul(Number)}, the sequence below (collect, then allocate small buffers
 * holding 7) made ∂(0.5·x)/∂x come back as 7.0 in 20 of 20 trials on the development machine: the engine read the
 * constant from a Java buffer that had been freed and reused.
 */
public class ScalarsTest {
    /** Collects unreachable direct buffers, then allocates new ones holding 7.0 where freed ones were. */
    public static List<ByteBuffer> collectAndScribble() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20); // the buffers' cleaner runs on its own thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            b.putFloat(0, 7f);
            junk.add(b);
        }
        return junk;
    }

    @Test
    void constantFactorsSurviveACollectionBeforeBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4));
            for (int trial = 0; trial < 5; trial++) {
                NDArray g = Gradients.of(xi -> {
                    NDArray y = Scalars.over(Scalars.times(xi, 0.5), 4);
                    collectAndScribble();
                    return y;
                }, x, m).gradient();
                assertThat(g.toFloatArray()).containsOnly(0.125f);
            }
        }
    }

    /** An ensemble's weighted loss has the weighted gradient of its members, however the JVM collects meanwhile. */
    @Test
    void ensembleGradientsAreTheWeightedSumUnderCollection() {
        try (NDManager m = NDManager.newBaseManager()) {
            // two linear "models" z = a·Σx and z = b·Σx (one logit each); the loss is the logit itself
            Classifier a = linear(m, 2f);
            Classifier b = linear(m, -1f);
            Ensemble e = new Ensemble(List.of(a, b), new float[] {3, 1}, Ensemble.Fusion.LOSS);
            NDArray x = m.ones(new Shape(1, 2));
            for (int trial = 0; trial < 5; trial++) {
                NDArray g = Gradients.of(xi -> {
                    NDArray v = e.objective(z -> z.squeeze(1)).apply(xi);
                    collectAndScribble();
                    return v;
                }, x, m).gradient();
                for (float v : g.toFloatArray()) {
                    assertThat(v).isCloseTo(0.75f * 2f + 0.25f * -1f, within(1e-6f));
                }
            }
        }
    }

    private static Classifier linear(NDManager m, float w) {
        NDArray weight = m.full(new Shape(2, 1), w);
        return new Classifier() {
            @Override
            public NDArray logits(NDArray x) {
                return x.matMul(weight);
            }

            @Override
            public int numClasses() {
                return 1;
            }

            @Override
            public String name() {
                return "linear" + w;
            }
        };
    }
}

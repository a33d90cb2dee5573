package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.model.BackwardShaping;
import io.advkit.model.BackwardShaping.Rules;
import io.advkit.util.ScalarsTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Every constant factor the transfer methods put on the autograd graph (SGM's γ, a ghost network's λ, LinBP's and
 * ILA's copies, SI's and Admix's scales) is still there when the backward pass reads it, however the JVM collects
 * in between (DJL's {@code mul(Number)} let the collector free it: the gradient then read whatever was written
 * there — 7.0 below — and the README job's images changed from run to run). Each gradient is known in closed form.
 */
class DifferentiatedConstantsTest {
    private NDManager m;
    private NDArray x;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        x = m.ones(new Shape(1, 4));
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** ∂/∂x of f, with a collection and scribbling between the forward and the backward pass. */
    private float[] gradient(UnaryOperator<NDArray> f) {
        return Gradients.of(xi -> {
            NDArray y = f.apply(xi);
            ScalarsTest.collectAndScribble();
            return y.sum(new int[] {1});
        }, x, m).gradient().toFloatArray();
    }

    @Test
    void sgmScalesTheBranchGradientByGamma() {
        for (int trial = 0; trial < 3; trial++) {
            // y = branch(2x) + x: ∂y/∂x = γ·2 + 1
            float[] g = gradient(xi -> BackwardShaping.during(new Rules(0.5, 0, false), () ->
                    BackwardShaping.residualBranch(xi.add(xi)).add(xi)));
            assertThat(g).containsOnly(2f);
        }
    }

    @Test
    void ghostErosionScalesTheSkipByItsDraw() {
        double lambda = 1 + 0.3 * (2 * new Random(42).nextDouble() - 1);
        for (int trial = 0; trial < 3; trial++) {
            float[] g = gradient(xi -> BackwardShaping.during(new Rules(1, 0, false, 0.3), new Random(42), () -> BackwardShaping.skip(xi)));
            for (float v : g) {
                assertThat(v).isCloseTo((float) lambda, within(1e-6f));
            }
        }
    }

    @Test
    void linbpAndIlaCopiesPassTheGradientUnchanged() {
        for (int trial = 0; trial < 3; trial++) {
            float[] linear = gradient(xi -> BackwardShaping.during(new Rules(1, 1, true), () -> {
                BackwardShaping.enterStage(1);
                return BackwardShaping.branchRelu(xi.neg()).neg(); // ReLU removed: −(−x) = x
            }));
            assertThat(linear).containsOnly(1f);
            float[] captured = gradient(xi -> BackwardShaping.capturing(1, () -> {
                BackwardShaping.enterStage(1, xi);
                return xi;
            }).features().get(0));
            assertThat(captured).containsOnly(1f);
        }
    }

    @Test
    void siAndAdmixCopiesCarryTheirScale() {
        for (int trial = 0; trial < 3; trial++) {
            List<UnaryOperator<NDArray>> si = new ScaleInvariance(3).draw(x, new Random(1), m);
            assertThat(gradient(si.get(2))).containsOnly(0.25f);
            List<UnaryOperator<NDArray>> admix = new Admix(2, 1, 0.2).draw(x, new Random(1), m);
            assertThat(gradient(admix.get(1))).containsOnly(0.5f);
        }
    }
}

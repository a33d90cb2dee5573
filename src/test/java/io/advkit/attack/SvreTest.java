package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.defense.DefenseSpec;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** SVRE (Xiong et al. 2022): the inner loop's variance-reduced gradients, its cost, and what it refuses. */
class SvreTest {
    private static final int D = 3 * 4 * 4;

    private static float[][] twoClassWeights(long seed) {
        return LinearModel.gaussian(seed, 2, D);
    }

    /**
     * With linear two-class members and the (linear) margin loss every gradient is a constant, so the correction
     * ∇L_k(x̃) − ∇L_k(x_t) vanishes and each inner gradient is the ensemble's: SVRE must then take MI-FGSM's steps
     * exactly. The members disagree in sign with the ensemble in many pixels, so a wrong sign in the correction, or
     * a member's raw gradient in place of the corrected one, moves elsewhere.
     */
    @Test
    void withConstantGradientsSvreIsMiFgsmOnTheEnsemble() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Classifier> members = List.of(new LinearModel(m, twoClassWeights(1)), new LinearModel(m, twoClassWeights(2)),
                    new LinearModel(m, twoClassWeights(3)));
            Ensemble ensemble = new Ensemble(members, new float[] {1, 2, 1}, Ensemble.Fusion.LOGITS);
            NDArray x = m.randomUniform(0.2f, 0.8f, new Shape(2, 3, 4, 4));
            NDArray y = m.create(new long[] {0, 1});
            ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
            StepSize alpha = StepSize.ofEps(0.25);
            NDArray svre = new SVRE(6, alpha, 1.0, 0, GradientPipeline.PLAIN).run(AttackProblem.untargeted(ensemble, x, y, Loss.CW, tm, new Random(0), m));
            NDArray mi = new MIFGSM(6, alpha, 1.0, GradientPipeline.PLAIN).run(AttackProblem.untargeted(ensemble, x, y, Loss.CW, tm, new Random(0), m));
            assertThat(svre.toFloatArray()).containsExactly(mi.toFloatArray());

            // the members alone would not: member 0's own MI-FGSM goes elsewhere
            NDArray own = new MIFGSM(6, alpha, 1.0, GradientPipeline.PLAIN).run(AttackProblem.untargeted(members.get(0), x, y, Loss.CW, tm, new Random(0), m));
            assertThat(own.toFloatArray()).isNotEqualTo(mi.toFloatArray());
        }
    }

    /** One step: the ensemble's gradient (each member once), each drawn member once at x_t, and M inner gradients. */
    @Test
    void aStepCostsTheEnsembleOnceAndOneMemberPerInnerStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<CountingForwards> members = List.of(new CountingForwards(new LinearModel(m, twoClassWeights(1))),
                    new CountingForwards(new LinearModel(m, twoClassWeights(2))), new CountingForwards(new LinearModel(m, twoClassWeights(3))));
            Ensemble ensemble = new Ensemble(members, null, Ensemble.Fusion.LOGITS);
            NDArray x = m.randomUniform(0.2f, 0.8f, new Shape(2, 3, 4, 4));
            ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
            new SVRE(1, StepSize.ofEps(1), 1.0, 0, GradientPipeline.PLAIN).run(AttackProblem.untargeted(ensemble, x, m.create(new long[] {0, 1}),
                    Loss.CE, tm, new Random(0), m));
            int calls = members.stream().mapToInt(c -> c.calls).sum();
            int inner = 4 * members.size(); // the default M
            assertThat(calls).isBetween(members.size() + inner + 1, members.size() + inner + members.size());
            assertThat(members).allSatisfy(c -> assertThat(c.calls).as("every member is drawn at least once in 12").isGreaterThan(1));
        }
    }

    /**
     * SGM reaches residual blocks; a member without any (a ShuffleNet, here a linear model) takes its plain gradient,
     * as inside the ensemble, instead of refusing the whole attack once SVRE draws it alone.
     */
    @Test
    void backwardRulesApplyToTheMembersTheyReach() {
        try (NDManager m = NDManager.newBaseManager();
             ZooModel resnet = ZooModel.create("r", "resnet20", 10, Normalization.named("none"), 1)) {
            resnet.net().setTrainable(false);
            Classifier linear = new LinearModel(m, LinearModel.gaussian(4, 10, 3 * 8 * 8));
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 8, 8));
            NDArray y = m.create(new long[] {0, 1});
            ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
            AttackSettings two = AttackSettings.DEFAULTS.withSteps(2);
            Classifier ensemble = new Ensemble(List.of(resnet, linear), null, Ensemble.Fusion.LOGITS);
            NDArray adv = Attacks.build("svre-sgm", two).run(AttackProblem.untargeted(ensemble, x, y, Loss.CE, tm, new Random(0), m));
            for (float d : tm.distance(adv, x)) {
                assertThat(d).isLessThanOrEqualTo(8 / 255f + 1e-6f);
            }
            assertThatThrownBy(() -> Attacks.build("mi-sgm", two).run(AttackProblem.untargeted(linear, x, y, Loss.CE, tm, new Random(0), m)))
                    .isInstanceOf(UserError.class).hasMessageContaining("residual blocks");
        }
    }

    @Test
    void oneModelIsRefusedWithOneLine() {
        try (NDManager m = NDManager.newBaseManager()) {
            Classifier one = new LinearModel(m, twoClassWeights(1));
            assertThatThrownBy(() -> new SVRE(10, StepSize.ofEps(0.1), 1.0, 0, GradientPipeline.PLAIN).requireUsableOn(one))
                    .isInstanceOf(UserError.class).hasMessageContaining("give two or more surrogates");
            assertThatThrownBy(() -> new SVRE(10, StepSize.ofEps(0.1), 1.0, -1, GradientPipeline.PLAIN)).isInstanceOf(UserError.class);
        }
    }

    /** Anticipating preprocessing (--robust-to), each member is seen behind the same defense, with its ensemble weight. */
    @Test
    void aDefendedEnsemblesMembersAreBehindTheSameDefense() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Classifier> members = List.of(new LinearModel(m, twoClassWeights(1)), new LinearModel(m, twoClassWeights(2)));
            Ensemble ensemble = new Ensemble(members, new float[] {3, 1}, Ensemble.Fusion.LOGITS);
            DefenseSpec bits = new DefenseSpec("bitdepth:3", "naive", "identity", 1, 0);
            Classifier defended = bits.wrap(ensemble);
            NDArray x = m.randomUniform(0f, 1f, new Shape(2, 3, 4, 4));
            assertThat(defended.members()).hasSize(2);
            assertThat(defended.memberWeights()).containsExactly(0.75f, 0.25f);
            for (int k = 0; k < 2; k++) {
                assertThat(defended.members().get(k).logits(x).toFloatArray())
                        .containsExactly(bits.wrap(members.get(k)).logits(x).toFloatArray());
            }
            Classifier single = bits.wrap(members.get(0));
            assertThat(single.members()).hasSize(1);
            assertThat(single.members().get(0)).isSameAs(single);
        }
    }
}

package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.defense.Defenses;
import io.advkit.train.TrainingMethods;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Everything the registries offer can be built by name and behaves as an attack must. */
class RegistryTest {
    private static LinearModel model(NDManager m) {
        float[][] w = new float[4][48]; // 4 classes: the fewest the targeted DLR loss takes
        Random r = new Random(4);
        for (float[] row : w) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return new LinearModel(m, w);
    }

    /** Every base, alone and with every modifier it takes, under every norm it supports: in budget, progress reported. */
    @Test
    void everyRegisteredAttackStaysInItsBudgetAndReportsProgress() {
        int checked = 0;
        // SGM, LinBP and ghost erosion reshape residual networks: they run on a small random ResNet
        try (NDManager m = NDManager.newBaseManager();
             io.advkit.model.ZooModel resnet = io.advkit.model.ZooModel.create("r", "resnet20", 10,
                     io.advkit.model.Normalization.named("none"), 1)) {
            Engine.getInstance().setRandomSeed(1);
            LinearModel linear = model(m);
            NDArray x4 = m.randomUniform(0, 1, new Shape(2, 3, 4, 4));
            NDArray x8 = m.randomUniform(0, 1, new Shape(2, 3, 8, 8)); // global pooling takes any size: small is quick
            NDArray y = m.create(new long[] {0, 2});
            for (Attacks.Base base : Attacks.bases()) {
                List<String> names = new ArrayList<>(List.of(base.name()));
                if (base.takesModifiers()) {
                    Attacks.modifiers().forEach(mod -> names.add(base.name() + "-" + mod.name()));
                }
                for (String name : names) {
                    for (ThreatModel tm : List.of(new ThreatModel(Norm.LINF, 8 / 255.0), new ThreatModel(Norm.L2, 0.5))) {
                        if (!base.norms().contains(tm.norm())) {
                            continue;
                        }
                        // small budgets for a quick run; apgd-t gets 2 targets
                        AttackSettings small = new AttackSettings(base.name().equals("fgm") ? null : 3, null, null, 1.0, 0.5, 0.9, 7, 3, 20, 1.5, 2, 50,
                                AttackSettings.Transfer.DEFAULTS);
                        Attack a = Attacks.build(name, small);
                        assertThat(a.name()).isEqualTo(name);
                        List<Double> progress = new ArrayList<>();
                        boolean residual = name.contains("sgm") || name.contains("linbp") || name.contains("ghost") || name.contains("ila");
                        io.advkit.model.Classifier model = residual ? resnet : linear;
                        if (base.name().equals("svre")) { // it samples an ensemble's members
                            model = new io.advkit.model.Ensemble(List.of(model, model), null, io.advkit.model.Ensemble.Fusion.LOGITS);
                        }
                        NDArray x = residual ? x8 : x4;
                        AttackProblem p = new AttackProblem(model, x, y, y, false, Loss.CE, tm, new Random(2), m, progress::add);
                        if (name.equals("reparam")) { // it needs a generator's range (DefenseGanTest runs it on one)
                            org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.run(p)).isInstanceOf(io.advkit.util.UserError.class)
                                    .hasMessageContaining("generator");
                            checked++;
                            continue;
                        }
                        float[] d = tm.distance(a.run(p), x);
                        for (float v : d) {
                            assertThat(v).as(name + " " + tm).isLessThanOrEqualTo((float) tm.eps() + 1e-5f);
                        }
                        assertThat(progress).as(name).isNotEmpty().isSorted();
                        assertThat(progress.get(progress.size() - 1)).as(name).isEqualTo(1.0);
                        checked++;
                    }
                }
            }
        }
        int perNorm = 0;
        for (Attacks.Base b : Attacks.bases()) {
            int norms = (b.norms().contains(Norm.LINF) ? 1 : 0) + (b.norms().contains(Norm.L2) ? 1 : 0);
            perNorm += norms * (1 + (b.takesModifiers() ? Attacks.modifiers().size() : 0));
        }
        assertThat(checked).isEqualTo(perNorm);
    }

    @Test
    void everyDefenseAndTrainingMethodBuildsByName() {
        for (Defenses.Type t : Defenses.types()) {
            if (t.name().equals("defense-gan")) { // its generator file is a required parameter (DefenseGanTest builds it)
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> Defenses.parseSteps(t.name()))
                        .isInstanceOf(io.advkit.util.UserError.class).hasMessageContaining("generator");
                continue;
            }
            assertThat(Defenses.parseSteps(t.name())).hasSize(1);
        }
        for (String name : TrainingMethods.names()) {
            assertThat(TrainingMethods.create(name, TrainingMethods.Settings.defaults(8 / 255.0)).name()).isEqualTo(name);
        }
    }
}

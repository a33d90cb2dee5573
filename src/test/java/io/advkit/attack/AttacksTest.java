package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.Shared;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageFolder;
import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.model.ModelZoo;
import io.advkit.model.Normalization;
import io.advkit.model.ZooEntry;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AttacksTest {
    private static final int D = 3 * 4 * 4; // 3×4×4 images
    private NDManager m;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(7);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** Two classes: class 0 scores w·x, class 1 scores 0; images are labelled 1, so CE rises along +w. */
    private float[] w;

    private LinearModel linear() {
        w = new float[D];
        Random r = new Random(3);
        for (int i = 0; i < D; i++) {
            w[i] = (float) r.nextGaussian();
        }
        w[5] = 4f; // a unique largest |w|
        return new LinearModel(m, new float[][] {w, new float[D]});
    }

    private AttackProblem problem(Classifier model, NDArray x, int label, ThreatModel tm) {
        long n = x.getShape().get(0);
        NDArray y = m.full(new Shape(n), label, DataType.INT64);
        return AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(1), m);
    }

    private NDArray mid(int n) {
        return m.full(new Shape(n, 3, 4, 4), 0.5f);
    }

    @Test
    void fgmOnALinearModelIsTheClosedFormOfEachNorm() {
        LinearModel model = linear();
        double eps = 8 / 255.0;
        // L∞: x + ε·sign(w)
        float[] linf = new FGM().run(problem(model, mid(2), 1, new ThreatModel(Norm.LINF, eps))).toFloatArray();
        // L2: x + ε·w/‖w‖₂
        float[] l2 = new FGM().run(problem(model, mid(2), 1, new ThreatModel(Norm.L2, 0.5))).toFloatArray();
        // L1: all of ε on the largest |w| (coordinate 5), with its sign
        float[] l1 = new FGM().run(problem(model, mid(2), 1, new ThreatModel(Norm.L1, 0.3))).toFloatArray();
        double norm = 0;
        for (float v : w) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        for (int img = 0; img < 2; img++) {
            for (int i = 0; i < D; i++) {
                int k = img * D + i;
                assertThat(linf[k]).isCloseTo((float) (0.5 + eps * Math.signum(w[i])), within(1e-6f));
                assertThat(l2[k]).isCloseTo((float) (0.5 + 0.5 * w[i] / norm), within(1e-5f));
                assertThat(l1[k]).isCloseTo(i == 5 ? 0.8f : 0.5f, within(1e-6f));
            }
        }
    }

    /** R+FGSM on a linear model: the random ε/2 sign step, then ε/2 along sign(w): every value ends at x or x + ε·sign(w). */
    @Test
    void rfgsmIsARandomHalfStepThenTheGradientHalfStep() {
        LinearModel model = linear();
        double eps = 8 / 255.0;
        float[] adv = Attacks.build("rfgsm", AttackSettings.DEFAULTS).run(problem(model, mid(4), 1, new ThreatModel(Norm.LINF, eps))).toFloatArray();
        int moved = 0;
        for (int k = 0; k < adv.length; k++) {
            float d = adv[k] - 0.5f;
            if (Math.abs(d) > 1e-6) {
                assertThat(d).isCloseTo((float) (eps * Math.signum(w[k % D])), within(1e-6f));
                moved++;
            }
        }
        assertThat(moved).isBetween(adv.length / 4, 3 * adv.length / 4); // the random signs agree with sign(w) about half the time
    }

    @Test
    void iterativeAttacksOnALinearModelWalkToTheCornerOfTheBall() {
        LinearModel model = linear();
        double eps = 8 / 255.0;
        ThreatModel tm = new ThreatModel(Norm.LINF, eps);
        // every step moves by α·sign(w) in the same direction, so after T·α ≥ ε the point is x + ε·sign(w)
        StepSize tenth = StepSize.ofEps(0.1);
        GradientPipeline plain = GradientPipeline.PLAIN;
        for (Attack a : List.of(new BIM(10, tenth, plain), new MIFGSM(10, tenth, 1.0, plain), new NIFGSM(10, tenth, 1.0, plain),
                PGD.withDefaultStep(10), new VMIFGSM(10, tenth, 1.0, 3, 1.5, false, plain))) {
            float[] adv = a.run(problem(model, mid(1), 1, tm)).toFloatArray();
            for (int i = 0; i < D; i++) {
                assertThat(adv[i]).as(a.name() + " coordinate " + i).isCloseTo((float) (0.5 + eps * Math.signum(w[i])), within(1e-5f));
            }
        }
    }

    @Test
    void projectionKeepsEveryNormsBudgetAndTheValidRange() {
        Random r = new Random(5);
        float[] vals = new float[4 * D];
        float[] base = new float[4 * D];
        for (int i = 0; i < vals.length; i++) {
            base[i] = r.nextFloat();
            vals[i] = base[i] + (float) r.nextGaussian();
        }
        NDArray x = m.create(base, new Shape(4, 3, 4, 4));
        NDArray far = m.create(vals, new Shape(4, 3, 4, 4));
        for (ThreatModel tm : List.of(new ThreatModel(Norm.LINF, 0.03), new ThreatModel(Norm.L2, 0.5), new ThreatModel(Norm.L1, 2.0))) {
            NDArray p = tm.project(far, x);
            float[] d = tm.distance(p, x);
            for (float v : d) {
                assertThat(v).as(tm.toString()).isLessThanOrEqualTo((float) tm.eps() + 1e-5f);
            }
            assertThat(p.min().getFloat()).isGreaterThanOrEqualTo(0f);
            assertThat(p.max().getFloat()).isLessThanOrEqualTo(1f);
            NDArray inside = tm.project(x.add(tm.step(far.sub(x), tm.eps() / 4)), x);
            assertThat(inside.sub(x.add(tm.step(far.sub(x), tm.eps() / 4)).clip(0, 1)).abs().max().getFloat()).as(tm + " inside").isLessThan(1e-6f);
        }
    }

    @Test
    void l1ProjectionIsASoftThresholdWithOneThreshold() {
        float[] d = {0.45f, -0.25f, 0.15f, -0.025f, 0.35f, 0f};
        NDArray x = m.zeros(new Shape(1, 1, 1, 6));
        NDArray target = m.create(d, new Shape(1, 1, 1, 6));
        // project x + d onto the L1 ball of radius 1 around x, without the [0,1] clip interfering: use a centre of 0.5
        NDArray c = x.add(0.5f);
        float[] p = new ThreatModel(Norm.L1, 0.5).project(c.add(target), c).sub(c).toFloatArray();
        // sorted |d| = .45 .35 .25 .15 .025 0; θ solves Σ max(|d|−θ, 0) = 0.5 → (.45+.35+.25 − .5)/3 = 0.1833 (.15 falls below θ)
        double theta = (0.45 + 0.35 + 0.25 - 0.5) / 3;
        for (int i = 0; i < d.length; i++) {
            double expect = Math.signum(d[i]) * Math.max(Math.abs(d[i]) - theta, 0);
            assertThat(p[i]).as("coordinate " + i).isCloseTo((float) expect, within(1e-5f));
        }
    }

    @Test
    void lossesMatchHandComputedValues() {
        NDArray z = m.create(new float[] {3f, 1f, 2f, 0f}, new Shape(1, 4));
        NDArray y = m.create(new long[] {2});
        // CW margin: max_{j≠2} z_j − z_2 = 3 − 2 = 1
        assertThat(Loss.CW.perExample(z, y).getFloat(0)).isCloseTo(1f, within(1e-6f));
        // DLR: −(z_y − max_{j≠y} z_j)/(z_π1 − z_π3) = −(2 − 3)/(3 − 1) = 0.5
        assertThat(Loss.DLR.perExample(z, y).getFloat(0)).isCloseTo(0.5f, within(1e-6f));
        // CE = −log softmax(z)_2
        double lse = Math.log(Math.exp(3) + Math.exp(1) + Math.exp(2) + Math.exp(0));
        assertThat(Loss.CE.perExample(z, y).getFloat(0)).isCloseTo((float) (lse - 2), within(1e-5f));
        // targeted DLR toward class 1 with true class 2: −(z_2 − z_1)/(z_π1 − (z_π3 + z_π4)/2) = −(2 − 1)/(3 − 0.5)
        NDArray t = m.create(new long[] {1});
        assertThat(Loss.dlrTargeted(y).perExample(z, t).getFloat(0)).isCloseTo(-0.4f, within(1e-6f));
    }

    @Test
    void inputDiversityKeepsTheShapeAndTranslationInvarianceSpreadsADelta() {
        NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 32, 32));
        Random r = new Random(2);
        for (int i = 0; i < 20; i++) {
            assertThat(new InputDiversity(1.0, 0.9).apply(x, r).getShape()).isEqualTo(x.getShape());
        }
        assertThat(new InputDiversity(0.0, 0.9).apply(x, r)).isSameAs(x);
        float[] kernel = TranslationInvariance.gaussian(7, 3);
        double sum = 0;
        for (float k : kernel) {
            sum += k;
        }
        assertThat(sum).isCloseTo(1.0, within(1e-6));
        float[] g = new float[3 * 15 * 15];
        g[7 * 15 + 7] = 1f; // a delta in the middle of channel 0
        float[] out = new TranslationInvariance(7, 3).apply(m.create(g, new Shape(1, 3, 15, 15))).toFloatArray();
        for (int dy = -3; dy <= 3; dy++) {
            for (int dx = -3; dx <= 3; dx++) {
                assertThat(out[(7 + dy) * 15 + 7 + dx]).isCloseTo(kernel[(dy + 3) * 7 + dx + 3], within(1e-7f));
            }
        }
        assertThat(out[15 * 15 + 7 * 15 + 7]).isZero(); // channels stay separate
    }

    @Test
    void ensemblesFuseAndRefuseMismatchedClasses() {
        LinearModel a = linear();
        LinearModel b = new LinearModel(m, new float[][] {new float[D], w});
        NDArray x = mid(1);
        float[] za = a.logits(x).toFloatArray();
        float[] zb = b.logits(x).toFloatArray();
        float[] fused = new Ensemble(List.of(a, b), new float[] {3, 1}, Ensemble.Fusion.LOGITS).logits(x).toFloatArray();
        for (int k = 0; k < 2; k++) {
            assertThat(fused[k]).isCloseTo(0.75f * za[k] + 0.25f * zb[k], within(1e-5f));
        }
        NDArray y = m.create(new long[] {1});
        float lossA = Loss.CE.perExample(a.logits(x), y).getFloat(0);
        float lossB = Loss.CE.perExample(b.logits(x), y).getFloat(0);
        float fusedLoss = new Ensemble(List.of(a, b), null, Ensemble.Fusion.LOSS).objective(z -> Loss.CE.perExample(z, y)).apply(x).getFloat(0);
        assertThat(fusedLoss).isCloseTo((lossA + lossB) / 2, within(1e-5f));
        LinearModel three = new LinearModel(m, new float[][] {w, w, w});
        assertThatThrownBy(() -> new Ensemble(List.of(a, three), null, Ensemble.Fusion.LOGITS))
                .isInstanceOf(UserError.class).hasMessageContaining("disagree");
    }

    /** On a fixed network, PGD-10 reaches a higher loss than FGSM, and APGD at least PGD's success. */
    @Test
    void iterativeAttacksBeatOneStepOnAFixedNetwork() {
        try (ZooModel net = ZooModel.create("resnet20", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 42)) {
            net.net().setTrainable(false);
            NDArray x = m.randomUniform(0, 1, new Shape(16, 3, 32, 32));
            NDArray y = net.logits(x).argMax(1); // attack the model's own predictions
            ThreatModel tm = new ThreatModel(Norm.LINF, 2 / 255.0);
            AttackProblem p = AttackProblem.untargeted(net, x, y, Loss.CE, tm, new Random(1), m);
            float fgsm = Loss.CE.perExample(net.logits(new FGM().run(p)), y).mean().getFloat();
            float pgd = Loss.CE.perExample(net.logits(PGD.withDefaultStep(10).run(p)), y).mean().getFloat();
            assertThat(pgd).isGreaterThan(fgsm);
        }
    }

    @Test
    void apgdIsAtLeastAsStrongAsPgdWithTheSameBudget() {
        ZooEntry e = ModelZoo.get("cifar100_resnet20");
        var w = Shared.require("weights/cifar100/cifar100_resnet20-23dac2f1.pt");
        var set = ImageFolder.open(Shared.require("data/cifar-100_eval"), List.of());
        try (ZooModel net = ZooModel.load(e.name(), e.arch(), 100, Normalization.named(e.normalization()), StateDict.load(w), w.toString())) {
            int pgdFooled = 0;
            int apgdFooled = 0;
            for (Batch b : new Batches(set, new int[] {0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95,
                100, 105, 110, 115, 120, 125, 130, 135, 140, 145, 150, 155, 160, 165, 170, 175, 180, 185, 190, 195}, 40)) {
                NDArray x = b.toNDArray(m);
                NDArray y = b.labelsNDArray(m).toType(DataType.INT64, false);
                AttackProblem p = AttackProblem.untargeted(net, x, y, Loss.CE, new ThreatModel(Norm.LINF, 0.25 / 255), new Random(1), m);
                pgdFooled += count(p.success(PGD.withDefaultStep(20).run(p)));
                apgdFooled += count(p.success(new APGD(20, Loss.CE, "ce").run(p)));
            }
            assertThat(apgdFooled).isGreaterThanOrEqualTo(pgdFooled);
            assertThat(pgdFooled).isGreaterThan(0).isLessThan(40); // a budget where the comparison means something
        }
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) {
            c += v ? 1 : 0;
        }
        return c;
    }

    @Test
    void targetedAttacksMoveTowardTheirTargets() {
        float[] a = new float[D];
        float[] b = new float[D];
        float[] c = new float[D];
        Random r = new Random(9);
        for (int i = 0; i < D; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
            c[i] = (float) r.nextGaussian();
        }
        LinearModel model = new LinearModel(m, new float[][] {a, b, c});
        NDArray x = mid(4);
        NDArray y = m.create(new long[] {0, 0, 0, 0});
        long[] random = Target.parse("random").labels(model, x, y, new String[4], new Random(3)).toLongArray();
        for (long t : random) {
            assertThat(t).isBetween(1L, 2L); // never the true class
        }
        NDArray ll = Target.parse("least-likely").labels(model, x, y, new String[4], new Random(3));
        assertThat(ll.toLongArray()).containsOnly(model.logits(x).argMin(1).toLongArray()[0]);
        NDArray goal = m.create(new long[] {2, 2, 2, 2});
        ThreatModel tm = new ThreatModel(Norm.LINF, 0.05);
        AttackProblem p = new AttackProblem(model, x, y, goal, true, Loss.CE, tm, new Random(1), m, f -> { });
        NDArray adv = new BIM(5, StepSize.absolute(0.01), GradientPipeline.PLAIN).run(p);
        float before = model.logits(x).softmax(1).get(":, 2").mean().getFloat();
        float after = model.logits(adv).softmax(1).get(":, 2").mean().getFloat();
        assertThat(after).isGreaterThan(before);
    }

    @Test
    void attackNamesComposeFromTheRegistry() {
        AttackSettings s = AttackSettings.DEFAULTS;
        assertThat(Attacks.build("mi-di-ti", s).params().asMap()).containsEntry("attack", "mi-di-ti").containsKeys("input_diversity", "translation_invariance");
        assertThat(Attacks.build("ti-mi-di", s).name()).isEqualTo("mi-di-ti"); // order does not make another attack
        assertThat(Attacks.build("fgsm", s).params().asMap()).containsEntry("steps", 1).containsEntry("attack", "fgm");
        assertThat(Attacks.build("di", s).name()).isEqualTo("bim-di");
        assertThat(Attacks.build("di-fgsm", s).name()).isEqualTo("bim-di");
        assertThat(Attacks.build("mi-fgsm", s).name()).isEqualTo("mi");
        assertThat(Attacks.build("pgd", s).params().get("alpha_over_eps")).isEqualTo(2.5 / 10);
        assertThat(Attacks.build("apgd-dlr", s).name()).isEqualTo("apgd-dlr");
        assertThat(Attacks.build("pgd", s.withRestarts(3)).params().asMap()).containsEntry("restarts", 3);
        assertThatThrownBy(() -> Attacks.build("mi-ni", s)).isInstanceOf(UserError.class).hasMessageContaining("more than one base");
        assertThatThrownBy(() -> Attacks.build("nope", s)).isInstanceOf(UserError.class);
        assertThatThrownBy(() -> Attacks.build("apgd-ce-di", s)).isInstanceOf(UserError.class).hasMessageContaining("does not compose");
        assertThatThrownBy(() -> Attacks.build("mi", s.withRestarts(2))).isInstanceOf(UserError.class).hasMessageContaining("restarts");
        assertThatThrownBy(() -> Attacks.build("fgsm", s.withSteps(5))).isInstanceOf(UserError.class).hasMessageContaining("single step");
    }

    /** One attack object serves many problems and budgets: its step follows each problem's ε, and it keeps no state. */
    @Test
    void anAttackIsReusableAcrossBudgetsAndRuns() {
        LinearModel model = linear();
        Attack mi = new MIFGSM(10, StepSize.ofEps(0.1), 1.0, GradientPipeline.PLAIN);
        for (double eps : new double[] {2 / 255.0, 8 / 255.0, 2 / 255.0}) {
            float[] adv = mi.run(problem(model, mid(1), 1, new ThreatModel(Norm.LINF, eps))).toFloatArray();
            for (int i = 0; i < D; i++) {
                assertThat(adv[i]).isCloseTo((float) (0.5 + eps * Math.signum(w[i])), within(1e-5f));
            }
        }
        // ε = 0 leaves the clean image, whatever the attack
        float[] none = Attacks.build("pgd", AttackSettings.DEFAULTS).run(problem(model, mid(1), 1, new ThreatModel(Norm.LINF, 0))).toFloatArray();
        assertThat(none).containsOnly(0.5f);
    }

    /**
     * Restarts keep, per image, the better of the runs: the scripted attack moves the darker image up the loss in
     * its first run and the lighter one in its second, so each image's best comes from another run.
     */
    @Test
    void restartsKeepEachImagesBestRun() {
        LinearModel model = linear();
        ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
        NDArray x = m.create(new float[] {0.4f, 0.6f}).reshape(2, 1, 1, 1).broadcast(new Shape(2, 3, 4, 4));
        AttackProblem p = problem(model, x, 1, tm);
        NDArray up = m.create(w, new Shape(1, 3, 4, 4)).sign().mul((float) tm.eps()); // along +w: higher loss
        int[] call = {0};
        Attack scripted = new Attack() { // a test double: run 1 raises the darker images' loss, run 2 the lighter ones'
            public String name() {
                return "scripted";
            }

            public NDArray run(AttackProblem q) {
                boolean first = call[0]++ == 0;
                NDArray dark = q.x().reshape(q.x().getShape().get(0), -1).mean(new int[] {1}).lt(0.5f).toType(DataType.FLOAT32, false).reshape(-1, 1, 1, 1);
                NDArray direction = first ? dark.mul(2).sub(1) : dark.mul(-2).add(1);
                return q.x().add(up.mul(direction));
            }

            public io.advkit.util.Params params() {
                return io.advkit.util.Params.of("attack", "scripted");
            }
        };
        float[] best = Restarts.of(scripted, 2).run(p).toFloatArray();
        float[] want = x.add(up).toFloatArray();
        assertThat(call[0]).isEqualTo(2);
        for (int i = 0; i < want.length; i++) {
            assertThat(best[i]).as("value " + i).isCloseTo(want[i], within(1e-6f));
        }
        assertThatThrownBy(() -> Restarts.of(scripted, 0)).isInstanceOf(UserError.class);
    }

    /** Budgets beyond the image's range are refused per norm, in the user's units. */
    @Test
    void budgetsAreCheckedPerNorm() {
        assertThatThrownBy(() -> ThreatModel.parse("linf", "300", 255)).isInstanceOf(UserError.class).hasMessageContaining("300");
        assertThatThrownBy(() -> ThreatModel.parse("linf", "-1", 255)).isInstanceOf(UserError.class).hasMessageContaining("-1")
                .hasMessageNotContaining("0.0039");
        assertThat(ThreatModel.parse("linf", "255", 255).eps()).isEqualTo(1.0);
        assertThat(ThreatModel.parse("linf", "0", 255).eps()).isZero();
        ThreatModel huge = ThreatModel.parse("l2", "60", 1); // √(3·32·32) ≈ 55.4 is the largest L2 distance of CIFAR images
        assertThatThrownBy(() -> huge.requireFits(new Shape(1, 3, 32, 32))).isInstanceOf(UserError.class).hasMessageContaining("55.4");
        ThreatModel.parse("l2", "55", 1).requireFits(new Shape(1, 3, 32, 32));
    }
}

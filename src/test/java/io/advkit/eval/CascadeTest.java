package io.advkit.eval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.Stderr;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.AttackSettings;
import io.advkit.attack.Attacks;
import io.advkit.attack.DeepFool;
import io.advkit.attack.MinimalNorm;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageFolder;
import io.advkit.model.Classifier;
import io.advkit.util.Json;
import io.advkit.util.Params;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CascadeTest {
    @TempDir
    Path tmp;

    /** Ten 4×4 images, labels 0/1, and a linear model whose class-0 score is 40·(mean − 0.5): labels 0 are the darker. */
    private static DecodedImages images() {
        int n = 10;
        byte[] px = new byte[n * 4 * 4 * 3];
        int[] labels = new int[n];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = 40 + 17 * i; // 40 .. 193: means from dark to light
            java.util.Arrays.fill(px, i * 48, (i + 1) * 48, (byte) v);
            labels[i] = v < 128 ? 1 : 0;
            names.add(labels[i] + "_" + i + ".png");
        }
        labels[9] = 1; // one image the model gets wrong from the start
        names.set(9, "1_9.png");
        return new DecodedImages(names, labels, 4, 4, 3, px, List.of(), "ten flat images");
    }

    /** Class 0 scores 40·(mean − 0.5), class 1 scores 0: an image is class 0 iff it is lighter than mid-grey. */
    private static Classifier model() {
        return new Classifier() {
            @Override
            public NDArray logits(NDArray x) {
                long n = x.getShape().get(0);
                NDArray mean = x.reshape(n, -1).mean(new int[] {1}).sub(0.5f).mul(40f).reshape(n, 1);
                return mean.concat(x.getManager().zeros(new Shape(n, 1)), 1);
            }

            @Override
            public int numClasses() {
                return 2;
            }

            @Override
            public String name() {
                return "brightness";
            }
        };
    }

    /** An attack that records how many images it was given. */
    private static final class Counting implements Attack {
        private final Attack inner;
        final List<Integer> given = new ArrayList<>();

        Counting(Attack inner) {
            this.inner = inner;
        }

        public String name() {
            return inner.name();
        }

        public NDArray run(AttackProblem p) {
            given.add((int) p.x().getShape().get(0));
            return inner.run(p);
        }

        public Params params() {
            return inner.params();
        }
    }

    private static Cascade cascade(List<Attack> attacks, ThreatModel tm, int batch) {
        return cascade(attacks, tm, batch, true);
    }

    private static Cascade cascade(List<Attack> attacks, ThreatModel tm, int batch, boolean quiet) {
        Cascade.Config c = new Cascade.Config("brightness", "custom", tm.norm().toString(), tm.eps(), tm.eps255(),
                attacks.stream().map(Attack::params).toList(), batch, 0, "ten flat images", 10);
        return new Cascade(c, attacks, tm, quiet);
    }

    @Test
    void eachStageAttacksOnlyTheImagesStillRobustAndTheFolderEvaluatesToTheResult() throws IOException {
        ThreatModel tm = new ThreatModel(Norm.LINF, 40 / 255.0);
        Counting fgm = new Counting(Attacks.build("fgm", AttackSettings.DEFAULTS));
        Counting pgd = new Counting(Attacks.build("pgd", AttackSettings.DEFAULTS));
        Path out = Files.createDirectories(tmp.resolve("out"));
        Cascade.Result r = cascade(List.of(fgm, pgd), tm, 4).run(model(), images(), out, out.resolve(".journal"));
        // 9 correct at first (image 9 is wrong); FGM sees all 9, PGD only those FGM left
        assertThat(fgm.given.stream().mapToInt(Integer::intValue).sum()).isEqualTo(9);
        assertThat(r.stages().get(0).attacked()).isEqualTo(9);
        assertThat(pgd.given.stream().mapToInt(Integer::intValue).sum()).isEqualTo(9 - r.stages().get(0).fooled());
        assertThat(r.stages().get(1).attacked()).isEqualTo(9 - r.stages().get(0).fooled());
        // images within 40 grey levels of the midpoint fall: 40+17i in [88, 167] → i = 3..7 (5 images)
        assertThat(r.cleanAccuracy()).isEqualTo(90.0);
        assertThat(r.robustAccuracy()).isEqualTo(40.0);
        // the folder holds what was evaluated: the model's accuracy on it is the robust accuracy, and the budget holds
        var saved = ImageFolder.open(out, List.of());
        int correct = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (int idx = 0; idx < saved.size(); idx++) {
                int i = idx;
                var img = saved.image(i);
                float[] f = new float[48];
                for (int k = 0; k < 48; k++) {
                    f[k] = img.pixel(k) / 255f;
                }
                long pred = model().logits(m.create(f, new Shape(1, 4, 4, 3)).transpose(0, 3, 1, 2)).argMax(1).getLong(0);
                correct += pred == saved.label(i) ? 1 : 0;
                DecodedImages source = images();
                int same = java.util.stream.IntStream.range(0, 10).filter(j -> source.name(j).equals(saved.name(i))).findFirst().orElseThrow();
                assertThat(img.linfDistance(source.image(same))).isLessThanOrEqualTo(40);
            }
        }
        assertThat(100.0 * correct / saved.size()).isEqualTo(r.robustAccuracy());
        assertThat(out.resolve(".journal")).doesNotExist();
    }

    /** An attack that dies on its k-th call, as a kill would stop the job. */
    private static final class Dying implements Attack {
        private final Attack inner;
        private final int k;
        private int calls;

        Dying(Attack inner, int k) {
            this.inner = inner;
            this.k = k;
        }

        public String name() {
            return inner.name();
        }

        public NDArray run(AttackProblem p) {
            if (++calls == k) {
                throw new IllegalStateException("killed");
            }
            return inner.run(p);
        }

        public Params params() {
            return inner.params();
        }
    }

    private static List<String> stageCounts(Cascade.Result r) {
        return r.stages().stream().map(s -> s.attack() + " " + s.attacked() + " " + s.fooled() + " " + s.robustAccuracy()).toList();
    }

    /** A run killed during any batch and rerun gives the result of one that never stopped. */
    @Test
    void aKilledEvaluationResumesToTheSameResult() throws IOException {
        ThreatModel tm = new ThreatModel(Norm.LINF, 40 / 255.0);
        Attack fgm = Attacks.build("fgm", AttackSettings.DEFAULTS);
        Attack pgd = Attacks.build("pgd", AttackSettings.DEFAULTS);
        Path whole = Files.createDirectories(tmp.resolve("whole"));
        Cascade.Result full = cascade(List.of(fgm, pgd), tm, 3).run(model(), images(), whole, whole.resolve(".journal"));
        for (int death = 1; death <= 5; death++) {
            Path dir = Files.createDirectories(tmp.resolve("killed" + death));
            Path journal = dir.resolve(".journal");
            int at = death;
            List<Attack> dying = List.of(new Dying(fgm, at), new Dying(pgd, at - 3));
            try {
                cascade(dying, tm, 3).run(model(), images(), dir, journal);
            } catch (IllegalStateException killed) {
                assertThat(journal).exists();
            }
            Stderr<Cascade.Result> run = Stderr.of(() -> cascade(List.of(fgm, pgd), tm, 3, false).run(model(), images(), dir, journal));
            Cascade.Result resumed = run.value();
            // every kill came after the clean stage: all of it is from the earlier run, and kept out of the rate
            assertThat(run.text()).contains("clean: 10/10 img (10 from an earlier run)");
            assertThat(stageCounts(resumed)).as("killed at call " + death).isEqualTo(stageCounts(full));
            assertThat(Json.LINE.toJson(resumed.images())).isEqualTo(Json.LINE.toJson(full.images()));
            try (var files = Files.list(whole)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".png")).toList()) {
                    assertThat(Files.readAllBytes(dir.resolve(f.getFileName()))).as(f.getFileName().toString()).isEqualTo(Files.readAllBytes(f));
                }
            }
        }
    }

    /**
     * An example that fools the model in floats but not once rounded to the nearest grey levels is counted as lost,
     * and rounding away from the clean image brings it back: grey 120 under the brightness model, the float
     * example three quarters at 127.4 and a quarter at 128 (mean 127.55, past the boundary at 127.5), which
     * rounds to a mean of 127.25.
     */
    @Test
    void latticeRepairCountsAndRecoversWhatRoundingUndid() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(1, 3, 4, 4), 120 / 255f);
            NDArray y = m.create(new long[] {1});
            float[] a = new float[48];
            for (int k = 0; k < 48; k++) {
                a[k] = (k % 4 == 0 ? 128f : 127.4f) / 255f;
            }
            AttackProblem p = AttackProblem.untargeted(model(), x, y, Loss.CE, new ThreatModel(Norm.LINF, 8 / 255.0), new Random(0), m);
            LatticeRepair.Repaired r = LatticeRepair.repair(p, m.create(a, x.getShape()), m);
            assertThat(r.floatSuccesses()).isEqualTo(1);
            assertThat(r.lost()).isEqualTo(1);
            assertThat(r.recovered()).isEqualTo(1);
            assertThat(r.fooled()).containsExactly(true);
            for (float v : r.images().toFloatArray()) {
                assertThat(v * 255).isCloseTo(128f, org.assertj.core.api.Assertions.within(1e-3f)); // on the lattice, within 8 levels
            }
            // with a budget of 7 levels the boundary is out of the lattice's reach: lost, not recovered
            AttackProblem narrow = AttackProblem.untargeted(model(), x, y, Loss.CE, new ThreatModel(Norm.LINF, 7.6 / 255), new Random(0), m);
            LatticeRepair.Repaired out = LatticeRepair.repair(narrow, m.create(a, x.getShape()), m);
            assertThat(out.lost()).isEqualTo(1);
            assertThat(out.recovered()).isZero();
            assertThat(out.fooled()).containsExactly(false);
        }
    }

    /**
     * L2: grey 120 under the brightness model needs a mean above 127.5, i.e. more than 360 grey levels over the 48
     * values. The float example 7.55 everywhere (L2 52.3 levels) fools within ε = 52.5 levels; its nearest rounding,
     * 8 everywhere, leaves the ball and scaled back in it is 7 everywhere (mean 127): lost. On the lattice, 26 values
     * at 8 and 22 at 7 reach 362 levels with L2² = 2,742 ≤ 52.5² and fool: the budget search finds it. At ε = 52.03
     * levels the float example (7.505 everywhere, L2 51.99) still fools, but the lattice's best inside the ball is
     * 359 levels (23 eights, L2² 2,697; 360 would tie the classes and needs 2,712 > 52.03²): lost, not recovered.
     */
    @Test
    void latticeRepairRecoversL2ExamplesWithinTheBall() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(1, 3, 4, 4), 120 / 255f);
            NDArray y = m.create(new long[] {1});
            ThreatModel tm = new ThreatModel(Norm.L2, 52.5 / 255);
            AttackProblem p = AttackProblem.untargeted(model(), x, y, Loss.CE, tm, new Random(0), m);
            LatticeRepair.Repaired r = LatticeRepair.repair(p, m.full(x.getShape(), 127.55f / 255), m);
            assertThat(r.floatSuccesses()).isEqualTo(1);
            assertThat(r.lost()).isEqualTo(1);
            assertThat(r.recovered()).isEqualTo(1);
            assertThat(r.fooled()).containsExactly(true);
            int[] px = new int[48];
            float[] saved = r.images().toFloatArray();
            for (int k = 0; k < 48; k++) {
                px[k] = Math.round(saved[k] * 255);
                assertThat(saved[k] * 255).isCloseTo(px[k], org.assertj.core.api.Assertions.within(1e-3f));
            }
            int[] grey = new int[48];
            java.util.Arrays.fill(grey, 120);
            assertThat(tm.within(px, grey)).isTrue();

            ThreatModel narrow = new ThreatModel(Norm.L2, 52.03 / 255);
            AttackProblem q = AttackProblem.untargeted(model(), x, y, Loss.CE, narrow, new Random(0), m);
            LatticeRepair.Repaired out = LatticeRepair.repair(q, m.full(x.getShape(), 127.505f / 255), m);
            assertThat(out.floatSuccesses()).isEqualTo(1);
            assertThat(out.lost()).isEqualTo(1);
            assertThat(out.recovered()).isZero();
        }
    }

    /**
     * The cascade says which images' float successes the lattice lost. An attack moving each image to just across
     * mid-grey (127.505 or 127.495 everywhere) when that is within L2 ε = 17.5 grey levels reaches only image 5 (grey
     * 125, 17.36 levels away), and no 8-bit image within 17.5 levels of it crosses (the closest, 25 values at +3 and
     * 23 at +2, is 17.80 away): that image, and only it, is recorded as lost to rounding at that stage.
     */
    @Test
    void eachImageSaysWhichStagesFloatSuccessTheLatticeLost() throws IOException {
        ThreatModel tm = new ThreatModel(Norm.L2, 17.5 / 255);
        Attack toMidGrey = new Attack() {
            public String name() {
                return "to-mid-grey";
            }

            public NDArray run(AttackProblem p) {
                float[] x = p.x().toFloatArray();
                long[] y = p.y().toLongArray();
                int per = x.length / y.length;
                for (int i = 0; i < y.length; i++) {
                    float target = (y[i] == 1 ? 127.505f : 127.495f) / 255;
                    double d = Math.abs(target - x[i * per]) * Math.sqrt(per);
                    if (d <= p.threat().eps()) {
                        java.util.Arrays.fill(x, i * per, (i + 1) * per, target);
                    }
                }
                return p.manager().create(x, p.x().getShape());
            }

            public Params params() {
                return Params.of("attack", name());
            }
        };
        Path out = Files.createDirectories(tmp.resolve("lost"));
        Cascade.Result r = cascade(List.of(toMidGrey), tm, 4).run(model(), images(), out, out.resolve(".journal"));
        assertThat(r.stages().get(0).floatSuccesses()).isEqualTo(1);
        assertThat(r.stages().get(0).lostToRounding()).isEqualTo(1);
        assertThat(r.stages().get(0).recovered()).isZero();
        for (Cascade.Outcome o : r.images()) {
            assertThat(o.lostToRounding()).as(o.name()).isEqualTo(o.name().equals("1_5.png") ? List.of("to-mid-grey") : null);
        }
        assertThat(Json.GSON.toJson(r)).contains("\"lost_to_rounding\": [").contains("\"to-mid-grey\"");
    }

    /** A minimal-norm attack that dies on its k-th batch. */
    private static final class DyingMinimal implements Attack, MinimalNorm {
        private final DeepFool inner = new DeepFool(50);
        private final int k;
        private int calls;

        DyingMinimal(int k) {
            this.k = k;
        }

        public String name() {
            return inner.name();
        }

        public NDArray run(AttackProblem p) {
            return inner.run(p);
        }

        public MinimalNorm.Result minimal(AttackProblem p) {
            if (++calls == k) {
                throw new IllegalStateException("killed");
            }
            return inner.minimal(p);
        }

        public Params params() {
            return inner.params();
        }
    }

    /**
     * On the brightness model the L-inf distance of a flat image to the boundary is |mean − ½| (shift every pixel alike):
     * DeepFool's distances are that, overshot by 2%, and the curve they give is the cascade's answer at ε; a run killed
     * in the minimal-norm stage resumes to the same distances.
     */
    @Test
    void theMinimalNormCurveFollowsTheDistancesToTheBoundaryAndResumes() throws IOException {
        ThreatModel tm = new ThreatModel(Norm.LINF, 40 / 255.0);
        Attack pgd = Attacks.build("pgd", AttackSettings.DEFAULTS);
        Path out = Files.createDirectories(tmp.resolve("curve"));
        Cascade.Result r = cascade(List.of(pgd), tm, 4).withMinimalNorm(new DeepFool(50)).run(model(), images(), out, out.resolve(".journal"));
        Cascade.Curve c = r.minimalNorm();
        for (int i = 0; i < 9; i++) {
            double want = Math.abs((40 + 17 * i) / 255.0 - 0.5);
            assertThat(c.distances()[i]).as("image " + i).isBetween(want, want * 1.02 + 2e-4);
        }
        assertThat(c.distances()[9]).as("wrong from the start").isZero();
        assertThat(c.accuracy()[0]).isEqualTo(r.cleanAccuracy());
        assertThat(c.eps()[16]).isCloseTo(tm.eps(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.accuracy()[16]).isEqualTo(r.robustAccuracy()).isEqualTo(40.0);
        for (int k = 1; k < c.accuracy().length; k++) {
            assertThat(c.accuracy()[k]).isLessThanOrEqualTo(c.accuracy()[k - 1]);
        }
        Path dir = Files.createDirectories(tmp.resolve("curve-killed"));
        try {
            cascade(List.of(pgd), tm, 4).withMinimalNorm(new DyingMinimal(2)).run(model(), images(), dir, dir.resolve(".journal"));
        } catch (IllegalStateException killed) {
            assertThat(dir.resolve(".journal")).exists();
        }
        DyingMinimal counting = new DyingMinimal(-1);
        Cascade.Result resumed = cascade(List.of(pgd), tm, 4).withMinimalNorm(counting).run(model(), images(), dir, dir.resolve(".journal"));
        assertThat(counting.calls).as("only the batches not journaled are rerun").isEqualTo(2);
        assertThat(resumed.minimalNorm().distances()).containsExactly(c.distances());
    }
}

package io.advkit.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.annotations.SerializedName;
import io.advkit.attack.APGD;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.FGM;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.PGD;
import io.advkit.attack.SPSA;
import io.advkit.attack.Square;
import io.advkit.attack.GeneratorRange;
import io.advkit.attack.Reparameterization;
import io.advkit.attack.ThreatModel;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefendedModel;
import io.advkit.defense.Defenses;
import io.advkit.defense.GradientMode;
import io.advkit.dist.ShardedJob;
import io.advkit.model.Classifier;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The robustness audit: a fixed suite of attacks against a (defended) model, each evaluated on what would be
 * saved (8-bit images within budget) by the defended model itself.
 * <ul>
 *   <li>at the audit budget ε: FGSM, PGD, APGD-CE, APGD-DLR, each with naive gradients (as the defense's
 *       author would evaluate) and adaptive ones (BPDA through non-differentiable steps, EoT over random ones);</li>
 *   <li>behind a defense, a transfer attack: PGD on the undefended model, evaluated on the defended one;</li>
 *   <li>Square, which reads only the defended model's scores (no gradient to mask), {@code squareQueries} per image;</li>
 *   <li>SPSA on a random defense, and, behind Defense-GAN, the reparameterization attack ({@code apgdIterations} steps);</li>
 *   <li>random sampling: {@code randomDraws} uniformly random corners of the ε-box per image;</li>
 *   <li>unbounded PGD (ε = 255/255), adaptive;</li>
 *   <li>an ε sweep of PGD, naive and adaptive.</li>
 * </ul>
 * An image counts as robust to an attack only if the defended model classifies it correctly both clean and
 * attacked, so each row's robust accuracy and success rate add up to 100%. Worst-case robust accuracy counts
 * an image only if every bounded attack at ε failed on it. The five symptoms of obfuscated gradients are
 * checked on the naive results ({@link Symptoms}).
 */
public final class Audit {
    /** Everything that decides the audit's numbers besides the model, defense and images (all L∞). */
    public record Config(@SerializedName("eps_255") double eps255, int pgdSteps, int apgdIterations, int eot,
                         @SerializedName("sweep_eps_255") double[] sweepEps255, int randomDraws, int squareQueries, int spsaIterations,
                         int batchSize,
                         long seed, DefendedModel.Approximation approximation) {
        public ThreatModel threat() {
            return new ThreatModel(Norm.LINF, eps255 / 255);
        }
    }

    /** One attack's outcome per image: fooled[i] = image i is not robust to it (wrong clean or after the attack). */
    public record Outcome(String attack, String gradients, @SerializedName("eps_255") double eps255, boolean[] fooled) {
        Key key() {
            return new Key(attack, gradients, eps255);
        }
    }

    /** Which row an outcome belongs to. */
    record Key(String attack, String gradients, double eps255) {}

    /** A finished batch, as the journal keeps it. */
    record BatchRecord(int offset, boolean[] cleanCorrect, List<Outcome> outcomes) {}

    /** What the journal's header identifies: a resumed audit must have exactly these. */
    record Job(String model, String defense, String data, int images, Config config) {}

    /** One row of the audit's table. */
    public record Row(String attack, String gradients, @SerializedName("eps_255") double eps255, boolean inWorstCase, double robustAccuracy, double successRate,
                      List<String> fooledImages) {}

    /** Robust accuracy of PGD across the sweep's budgets: the same numbers as the table's pgd-sweep rows. */
    public record Sweep(@SerializedName("eps_255") double[] eps255, double[] naiveAccuracy, double[] adaptiveAccuracy) {}

    /** audit.json. */
    public record Result(String kind, String model, String defense, int images, String threat, double cleanAccuracy,
                         double worstCaseRobustAccuracy, Config config, List<Symptoms.Check> symptoms, Sweep sweep, List<Row> attacks,
                         String data, RunInfo run) {}

    private static final String PGD_SWEEP = "pgd-sweep";
    private static final String UNBOUNDED = "pgd-unbounded";

    private final Config config;

    public Audit(Config config) {
        this.config = config;
    }

    /** Attacks per image: the naive and adaptive suite, transfer, Square, SPSA, reparameterization, random, unbounded, and the sweep's two. */
    private int attacksPerImage() {
        return 8 + 6 + 2 * config.sweepEps255().length;
    }

    /**
     * Audits {@code base} behind {@code defense} on {@code set}. With a journal file, each finished batch is
     * appended to it and batches found there (from a killed run with the same settings) are not attacked again.
     */
    public Result run(Classifier base, String defense, ImageSet set, boolean quiet, Path journalFile) {
        boolean none = Defenses.isNone(defense);
        int n = set.size();
        Journal<BatchRecord> journal = journalFile == null ? null
                : Journal.open(journalFile, new Job(base.name(), none ? "none" : defense, set.describe(), n, config), BatchRecord.class);
        Map<Integer, BatchRecord> done = new LinkedHashMap<>();
        if (journal != null) {
            journal.records().forEach(r -> done.put(r.offset(), r));
        }
        List<BatchRecord> records = new ArrayList<>();
        try (Progress bar = Progress.items("audit", (long) n * attacksPerImage(), "img-attacks", quiet);
             NDManager root = NDManager.newBaseManager()) {
            Batches batches = new Batches(set, config.batchSize());
            for (int b = 0; b < batches.count(); b++) {
                int offset = b * config.batchSize();
                BatchRecord outcome = done.get(offset);
                boolean earlier = outcome != null;
                if (!earlier) {
                    try (NDManager m = root.newSubManager()) {
                        outcome = auditBatch(base, defense, none, batches.load(b), offset, m, bar);
                    }
                    if (journal != null) {
                        journal.append(outcome);
                    }
                }
                bar.advanceTo((long) (offset + outcome.cleanCorrect().length) * attacksPerImage(), earlier);
                records.add(outcome);
            }
        }
        return assemble(base.name(), defense, set, records);
    }

    /**
     * The audit as shards for a cluster: batch b's record (a JSON line) depends only on b's images and seed, so any
     * process can do it; {@link #assemble(String, String, ImageSet, List)} puts them together on the driver.
     */
    public ShardedJob shards(Classifier base, String defense, ImageSet set) {
        Batches batches = new Batches(set, config.batchSize());
        Progress silent = Progress.items("audit", (long) set.size() * attacksPerImage(), "img-attacks", true);
        return ShardedJob.ofBatches(batches.count(), (b, m) -> Json.LINE.toJson(
                auditBatch(base, defense, Defenses.isNone(defense), batches.load(b), b * config.batchSize(), m, silent)));
    }

    /** The audit's result from every batch's record, as JSON lines from {@link #shards} (in batch order). */
    public Result assembleShards(String model, String defense, ImageSet set, List<String> lines) {
        return assemble(model, defense, set, lines.stream().map(l -> Json.LINE.fromJson(l, BatchRecord.class)).toList());
    }

    private Result assemble(String model, String defense, ImageSet set, List<BatchRecord> records) {
        boolean none = Defenses.isNone(defense);
        int n = set.size();
        boolean[] cleanCorrect = new boolean[n];
        Map<Key, boolean[]> rows = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (BatchRecord r : records) {
            for (int i = 0; i < r.cleanCorrect().length; i++) {
                cleanCorrect[r.offset() + i] = r.cleanCorrect()[i];
                names.add(set.name(r.offset() + i));
            }
            for (Outcome o : r.outcomes()) {
                boolean[] all = rows.computeIfAbsent(o.key(), k -> new boolean[n]);
                System.arraycopy(o.fooled(), 0, all, r.offset(), o.fooled().length);
            }
        }
        if (names.size() != n) {
            throw new IllegalStateException("records of " + names.size() + " images for " + n);
        }
        return summarize(rows, cleanCorrect, names, model, none ? "none" : defense, !none, set.describe());
    }

    private BatchRecord auditBatch(Classifier base, String defense, boolean none, Batch b, int offset, NDManager m, Progress bar) {
        ThreatModel tm = config.threat();
        Function<GradientMode, Classifier> defended = mode -> none ? base
                : Defenses.wrap(base, defense, mode, config.approximation(), config.eot(), config.seed());
        List<Outcome> rows = new ArrayList<>();
        NDArray x = b.toNDArray(m);
        NDArray y = b.labelsNDArray(m).toType(DataType.INT64, false);
        long seed = config.seed() * 1_000_003L + offset;
        long[] labels = y.toLongArray();
        // judged by the defended model as deployed (its own randomness, fixed per batch)
        Classifier judge = defended.apply(GradientMode.NAIVE);
        boolean[] cleanCorrect = correct(AttackProblem.predict(judge, x), labels);
        Function<NDArray, boolean[]> notRobust = adv -> {
            boolean[] ok = correct(AttackProblem.predict(judge, adv), labels);
            boolean[] f = new boolean[ok.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = !(cleanCorrect[i] && ok[i]);
            }
            return f;
        };
        Attack pgd = PGD.withDefaultStep(config.pgdSteps());
        List<Attack> suite = new ArrayList<>(List.of(new FGM(), pgd, new APGD(config.apgdIterations(), Loss.CE, "ce")));
        if (base.numClasses() >= 3) { // DLR divides by the gap between the first and third logits
            suite.add(new APGD(config.apgdIterations(), Loss.DLR, "dlr"));
        }
        // with no preprocessing, adaptive gradients are the naive ones: that half is not run twice
        List<GradientMode> modes = none ? List.of(GradientMode.NAIVE) : List.of(GradientMode.NAIVE, GradientMode.ADAPTIVE);
        Runner run = new Runner(x, y, m, seed, bar, b.size(), (long) offset * attacksPerImage());
        for (GradientMode mode : modes) {
            Classifier target = defended.apply(mode);
            for (Attack a : suite) {
                rows.add(new Outcome(a.name(), gradients(mode), tm.eps255(), notRobust.apply(run.attack(a, target, tm))));
            }
            if (suite.size() < 4) {
                run.advance();
            }
        }
        if (none) { // without a defense the "undefended model" is the target itself: its PGD is the white-box row again
            run.advance();
        } else {
            rows.add(new Outcome("transfer-pgd", "undefended", tm.eps255(), notRobust.apply(run.attack(pgd, base, tm))));
        }
        if (config.squareQueries() > 0) { // gradient-free: the defended model as deployed, scores only
            rows.add(new Outcome("square", "none", tm.eps255(), notRobust.apply(run.attack(new Square(config.squareQueries(), 0.8), judge, tm))));
        } else {
            run.advance();
        }
        // SPSA averages its probes, so a randomized defense's noise does not stop it (Uesato et al. 2018)
        if (config.spsaIterations() > 0 && judge.randomized()) {
            rows.add(new Outcome("spsa", "none", tm.eps255(), notRobust.apply(run.attack(new SPSA(config.spsaIterations(), 128), judge, tm))));
        } else {
            run.advance();
        }
        // Defense-GAN: Athalye et al.'s reparameterization searches the generator's codes instead of differentiating the projection
        if (judge instanceof GeneratorRange r && r.onGeneratorRange()) {
            rows.add(new Outcome("reparam", "generator", tm.eps255(), notRobust.apply(run.attack(new Reparameterization(config.apgdIterations()), judge, tm))));
        } else {
            run.advance();
        }
        rows.add(new Outcome("random", "none", tm.eps255(), randomCorners(x, tm, m, seed, notRobust)));
        run.advance();
        GradientMode strongest = modes.get(modes.size() - 1);
        rows.add(new Outcome(UNBOUNDED, gradients(strongest), 255, notRobust.apply(run.attack(pgd, defended.apply(strongest), tm.withEps(1.0)))));
        for (double e : config.sweepEps255()) {
            for (GradientMode mode : modes) {
                rows.add(new Outcome(PGD_SWEEP, gradients(mode), e, notRobust.apply(run.attack(pgd, defended.apply(mode), tm.withEps(e / 255)))));
            }
        }
        return new BatchRecord(offset, cleanCorrect, rows);
    }

    /** Runs attacks on one batch from the batch's seed, moving the progress bar image by image. */
    private static final class Runner {
        private final NDArray x;
        private final NDArray y;
        private final NDManager m;
        private final long seed;
        private final Progress bar;
        private final int size;
        private long position;

        Runner(NDArray x, NDArray y, NDManager m, long seed, Progress bar, int size, long position) {
            this.x = x;
            this.y = y;
            this.m = m;
            this.seed = seed;
            this.bar = bar;
            this.size = size;
            this.position = position;
        }

        /** The attack's result on the lattice (what would be saved). */
        NDArray attack(Attack a, Classifier model, ThreatModel tm) {
            Engine.getInstance().setRandomSeed((int) seed);
            model.startBatch(seed);
            long start = position;
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, tm, new Random(seed), m)
                    .withProgress(f -> bar.advanceTo(start + (long) (f * size)));
            NDArray adv = Lattice.round(a.run(p), x, tm);
            advance();
            return adv;
        }

        /** Counts one more of the batch's attacks as done (also one that is not a gradient attack). */
        void advance() {
            position += size;
            bar.advanceTo(position);
        }
    }

    private static String gradients(GradientMode mode) {
        return mode == GradientMode.NAIVE ? "naive" : "adaptive";
    }

    private static boolean[] correct(long[] predicted, long[] labels) {
        boolean[] c = new boolean[labels.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = predicted[i] == labels[i];
        }
        return c;
    }

    /** Per image: did any of {@code randomDraws} uniformly random corners of the ε-box fool the model? */
    private boolean[] randomCorners(NDArray x, ThreatModel tm, NDManager m, long seed, Function<NDArray, boolean[]> notRobust) {
        boolean[] any = new boolean[(int) x.getShape().get(0)];
        Engine.getInstance().setRandomSeed((int) seed);
        for (int r = 0; r < config.randomDraws(); r++) {
            boolean[] f;
            try (NDManager draw = AttackProblem.scopedForward(x, m)) {
                NDArray signs = draw.randomUniform(-1f, 1f, x.getShape()).sign();
                f = notRobust.apply(Lattice.round(x.add(signs.mul((float) tm.eps())).clip(0, 1), x, tm));
            }
            for (int i = 0; i < f.length; i++) {
                any[i] |= f[i];
            }
        }
        return any;
    }

    private Result summarize(Map<Key, boolean[]> rows, boolean[] cleanCorrect, List<String> names, String model, String defense,
                             boolean hasPreprocessing, String data) {
        int n = cleanCorrect.length;
        double eps = config.eps255();
        boolean[] robust = cleanCorrect.clone();
        List<Row> table = new ArrayList<>();
        for (Map.Entry<Key, boolean[]> e : rows.entrySet()) {
            Key k = e.getKey();
            boolean[] fooled = e.getValue();
            boolean bounded = k.eps255() == eps && !k.attack().equals(UNBOUNDED) && !k.attack().equals(PGD_SWEEP);
            List<String> fooledNames = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (fooled[i]) {
                    fooledNames.add(names.get(i));
                    if (bounded) {
                        robust[i] = false;
                    }
                }
            }
            double success = 100.0 * fooledNames.size() / n;
            table.add(new Row(k.attack(), k.gradients(), k.eps255(), bounded, 100 - success, success, fooledNames));
        }
        boolean[] gradientAny = new boolean[n];
        for (String a : List.of("fgm", "pgd", "apgd-ce", "apgd-dlr")) {
            boolean[] f = rows.get(new Key(a, "naive", eps));
            for (int i = 0; f != null && i < n; i++) { // no apgd-dlr row for a two-class model
                gradientAny[i] |= f[i];
            }
        }
        double[] sweep = config.sweepEps255();
        double[] naiveSweep = new double[sweep.length];
        double[] adaptiveSweep = new double[sweep.length];
        double[] naiveSuccess = new double[sweep.length];
        for (int k = 0; k < sweep.length; k++) {
            boolean[] naive = rows.get(new Key(PGD_SWEEP, "naive", sweep[k]));
            boolean[] adaptive = rows.getOrDefault(new Key(PGD_SWEEP, "adaptive", sweep[k]), naive);
            naiveSuccess[k] = 100.0 * Symptoms.count(naive) / n;
            naiveSweep[k] = 100 - naiveSuccess[k];
            adaptiveSweep[k] = 100 - 100.0 * Symptoms.count(adaptive) / n;
        }
        boolean[] pgdNaive = rows.get(new Key("pgd", "naive", eps));
        List<Symptoms.Check> checks = Symptoms.check(new Symptoms.Outcomes(rows.get(new Key("fgm", "naive", eps)), pgdNaive,
                rows.get(new Key("transfer-pgd", "undefended", eps)), either(rows.get(new Key("square", "none", eps)), rows.get(new Key("spsa", "none", eps))), pgdNaive,
                rows.get(new Key(UNBOUNDED, hasPreprocessing ? "adaptive" : "naive", 255)), rows.get(new Key("random", "none", eps)),
                gradientAny, sweep, naiveSuccess));
        return new Result("audit", model, defense, n, config.threat().toString(), 100.0 * Symptoms.count(cleanCorrect) / n,
                100.0 * Symptoms.count(robust) / n, config, checks, new Sweep(sweep, naiveSweep, adaptiveSweep), table, data, RunInfo.now());
    }

    /** Per image, fooled by either row (null when neither was run). */
    private static boolean[] either(boolean[] a, boolean[] b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        boolean[] out = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] || b[i];
        }
        return out;
    }
}

package io.advkit.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.annotations.SerializedName;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Loss;
import io.advkit.attack.MinimalNorm;
import io.advkit.attack.ThreatModel;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.data.ImageSet;
import io.advkit.dist.ShardedJob;
import io.advkit.model.Classifier;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.Params;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * AutoAttack's evaluation (Croce and Hein 2020), on the saved image: attacks run in a cascade, each on the images
 * every earlier one failed on, and an image counts as robust only if it is classified correctly clean and no
 * attack fooled it. Unlike the reference, a success is only a success once it fools the model as an 8-bit image
 * within the budget (the PNG that is written): {@link LatticeRepair} rounds each float example and, for L∞, recovers
 * those rounding undid; the result counts both. Every image's PNG is written (its adversarial example, or itself
 * when robust), so {@code eval} on the output folder gives the robust accuracy again.
 *
 * <p>Resumable like the audit: each (stage, batch) is a line of the journal, and a rerun after a kill continues.
 */
public final class Cascade {
    /** What decides the evaluation; a folder resumes only under the same one. */
    public record Config(String model, String version, String norm, double eps, @SerializedName("eps_255") double eps255,
                         List<Params> attacks, int batchSize, long seed, String data, int images) {}

    /**
     * A finished batch of one stage (the clean check is stage "clean"): which of its images fell, and rounding's toll
     * (with the images whose float success no lattice point kept);
     * for the minimal-norm stage, each image's distance; for the first batch's clean check, AutoAttack's model checks.
     */
    record Record(String stage, int offset, int[] fooled, int attacked, int floatSuccesses, int lost, int recovered, double seconds,
                  double[] distances, List<Check> checks, int[] lostForGood) {
        Record(String stage, int offset, int[] fooled, int attacked, int floatSuccesses, int lost, int recovered, double seconds) {
            this(stage, offset, fooled, attacked, floatSuccesses, lost, recovered, seconds, null, null, null);
        }

        String key() {
            return stage + "@" + offset;
        }
    }

    /** One stage's outcome over the whole set. */
    public record Stage(String attack, int attacked, int fooled, double robustAccuracy, int floatSuccesses, int lostToRounding,
                        int recovered, double seconds) {}

    /**
     * One image's outcome: robust, or the attack that fooled it; and the stages whose float adversarial example for it
     * was lost to the 8-bit lattice (null when none).
     */
    public record Outcome(String name, int label, boolean cleanCorrect, String fooledBy, List<String> lostToRounding) {}

    /** The sanity checks AutoAttack prints, as results. */
    public record Check(String check, boolean flagged, String detail) {}

    /**
     * A minimal-norm attack's answer for the whole set: each image's smallest perturbation found (in [0,1] units of the
     * norm; 0 when misclassified clean, null when none was found), and the accuracy it implies at every budget
     * (correct, and no smaller perturbation found). Float distances, before any rounding to 8 bits.
     */
    public record Curve(String attack, String norm, Double[] distances, double[] eps, @SerializedName("eps_255") double[] eps255,
                        double[] accuracy) {}

    /** evaluate.json. */
    public record Result(String kind, Config config, double cleanAccuracy, double robustAccuracy, List<Stage> stages, List<Check> checks,
                         Curve minimalNorm, double seconds, RunInfo run, List<Outcome> images) {}

    private final Config config;
    private final List<Attack> attacks;
    private final ThreatModel threat;
    private final boolean quiet;
    private MinimalNorm minimal;

    public Cascade(Config config, List<Attack> attacks, ThreatModel threat, boolean quiet) {
        this.config = config;
        this.attacks = attacks;
        this.threat = threat;
        this.quiet = quiet;
    }

    /** Also runs a minimal-norm attack on every correctly classified image, for the accuracy-vs-ε curve. */
    public Cascade withMinimalNorm(MinimalNorm attack) {
        this.minimal = attack;
        return this;
    }

    /**
     * Runs (or resumes) the evaluation in this process, stage by stage (a progress bar each), then writes every robust
     * image and returns the result.
     */
    public Result run(Classifier model, ImageSet set, Path out, Path journalFile) {
        Instant start = Instant.now();
        int n = set.size();
        Journal<Record> journal = Journal.open(journalFile, config, Record.class);
        Map<String, Record> done = new HashMap<>();
        journal.records().forEach(r -> done.put(r.key(), r));
        boolean[] robust = new boolean[n];
        Batches batches = new Batches(set, config.batchSize());
        try (NDManager root = NDManager.newBaseManager()) {
            try (Progress bar = Progress.items("clean", n, "img", quiet)) {
                for (int b = 0; b < batches.count(); b++) {
                    int offset = b * config.batchSize();
                    Record r = done.get("clean@" + offset);
                    boolean earlier = r != null;
                    if (!earlier) {
                        r = cleanBatch(model, batches, b, root);
                        journal.append(r);
                        done.put(r.key(), r);
                    }
                    markClean(r, robust, n);
                    bar.advanceTo(offset + Math.min(config.batchSize(), n - offset), earlier);
                }
            }
            for (int s = 0; s < attacks.size(); s++) {
                Attack attack = attacks.get(s);
                try (Progress bar = Progress.items(attack.name(), count(robust), "img", quiet)) {
                    long position = 0;
                    for (int b = 0; b < batches.count(); b++) {
                        int offset = b * config.batchSize();
                        Record r = done.get(s + ":" + attack.name() + "@" + offset);
                        boolean earlier = r != null;
                        if (!earlier) {
                            long at = position;
                            r = attackBatch(model, set, batches, b, robust, s, root, out, f -> bar.advanceTo(at + (long) f));
                            journal.append(r);
                            done.put(r.key(), r);
                        }
                        for (int k : r.fooled()) {
                            robust[offset + k] = false;
                        }
                        position += r.attacked();
                        bar.advanceTo(position, earlier);
                        bar.message(String.format("robust %.1f%%", 100.0 * count(robust) / n));
                    }
                }
            }
            if (minimal != null) {
                try (Progress bar = Progress.items("minimal norm (" + ((Attack) minimal).name() + ")", n, "img", quiet)) {
                    for (int b = 0; b < batches.count(); b++) {
                        int offset = b * config.batchSize();
                        Record r = done.get("minimal@" + offset);
                        boolean earlier = r != null;
                        if (!earlier) {
                            r = minimalBatch(model, batches, b, root, f -> bar.advanceTo(offset + (long) f));
                            journal.append(r);
                            done.put(r.key(), r);
                        }
                        bar.advanceTo(offset + r.attacked(), earlier);
                    }
                }
            }
        }
        Result result = assemble(set, out, done, start);
        journal.delete();
        return result;
    }

    /**
     * The evaluation as shards for a cluster: each batch goes through the whole cascade at once (its images' fate in a
     * stage depends only on that batch's earlier stages, and every draw on its offset), into {@code scratch}; a batch's
     * records come back as one JSON line, for {@link #assemble(ImageSet, Path, List, Instant)} on the driver.
     */
    public ShardedJob shards(Classifier model, ImageSet set, Path scratch) {
        Batches batches = new Batches(set, config.batchSize());
        boolean[] robust = new boolean[set.size()]; // each batch reads and writes only its own entries
        return ShardedJob.ofBatches(batches.count(), (b, m) -> {
            List<Record> records = new ArrayList<>();
            Record clean = cleanBatch(model, batches, b, m);
            markClean(clean, robust, set.size());
            records.add(clean);
            for (int s = 0; s < attacks.size(); s++) {
                Record r = attackBatch(model, set, batches, b, robust, s, m, scratch, f -> {});
                for (int k : r.fooled()) {
                    robust[b * config.batchSize() + k] = false;
                }
                records.add(r);
            }
            if (minimal != null) {
                records.add(minimalBatch(model, batches, b, m, f -> {}));
            }
            return Json.LINE.toJson(records);
        });
    }

    /** The driver's end of a cluster run: the result from every batch's records (lines from {@link #shards}). */
    public Result assemble(ImageSet set, Path out, List<String> batchLines, Instant start) {
        Map<String, Record> done = new HashMap<>();
        for (String line : batchLines) {
            for (Record r : Json.LINE.fromJson(line, Record[].class)) {
                done.put(r.key(), r);
            }
        }
        return assemble(set, out, done, start);
    }

    /**
     * The result from every (stage, batch) record: the cascade replayed (an image leaves at the first stage that fooled
     * it), each stage's totals, the checks, the curve; robust images are saved as they are, so the folder holds what
     * the model is evaluated on.
     */
    private Result assemble(ImageSet set, Path out, Map<String, Record> done, Instant start) {
        int n = set.size();
        int batchCount = (n + config.batchSize() - 1) / config.batchSize();
        boolean[] robust = new boolean[n];
        boolean[] cleanCorrect = new boolean[n];
        String[] fooledBy = new String[n];
        List<List<String>> lostAt = new ArrayList<>(java.util.Collections.nCopies(n, null));
        List<Check> checks = new ArrayList<>();
        for (int b = 0; b < batchCount; b++) {
            Record r = require(done, "clean@" + b * config.batchSize());
            markClean(r, robust, n);
            if (r.checks() != null) {
                checks.addAll(r.checks());
            }
        }
        System.arraycopy(robust, 0, cleanCorrect, 0, n);
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < attacks.size(); s++) {
            Attack attack = attacks.get(s);
            int entering = count(robust);
            int[] totals = new int[4]; // fooled, float successes, lost, recovered
            double seconds = 0;
            for (int b = 0; b < batchCount; b++) {
                int offset = b * config.batchSize();
                Record r = require(done, s + ":" + attack.name() + "@" + offset);
                for (int k : r.fooled()) {
                    robust[offset + k] = false;
                    fooledBy[offset + k] = attack.name();
                }
                for (int k : r.lostForGood() == null ? new int[0] : r.lostForGood()) {
                    if (lostAt.get(offset + k) == null) {
                        lostAt.set(offset + k, new ArrayList<>());
                    }
                    lostAt.get(offset + k).add(attack.name());
                }
                totals[0] += r.fooled().length;
                totals[1] += r.floatSuccesses();
                totals[2] += r.lost();
                totals[3] += r.recovered();
                seconds += r.seconds();
            }
            stages.add(new Stage(attack.name(), entering, totals[0], 100.0 * count(robust) / n, totals[1], totals[2], totals[3], seconds));
        }
        checks.add(squareCheck(stages, n));
        Curve curve = null;
        if (minimal != null) {
            double[] distances = new double[n];
            for (int b = 0; b < batchCount; b++) {
                Record r = require(done, "minimal@" + b * config.batchSize());
                System.arraycopy(r.distances(), 0, distances, b * config.batchSize(), r.distances().length);
            }
            curve = curve(distances, cleanCorrect);
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path file = out.resolve(io.advkit.attack.AttackJob.outputName(set.name(i)));
            if (fooledBy[i] == null) {
                ImageCodec.writePng(set.image(i), file);
            } else if (!Files.exists(file)) {
                throw new io.advkit.util.UserError(file + ": the adversarial image recorded in the journal is missing; "
                        + "run the evaluation again in an empty folder");
            }
            outcomes.add(new Outcome(io.advkit.attack.AttackJob.outputName(set.name(i)), set.label(i), cleanCorrect[i], fooledBy[i], lostAt.get(i)));
        }
        return new Result("evaluate", config, 100.0 * count(cleanCorrect) / n, 100.0 * count(robust) / n, stages, checks, curve,
                Duration.between(start, Instant.now()).toMillis() / 1000.0, RunInfo.now(), outcomes);
    }

    private static Record require(Map<String, Record> done, String key) {
        Record r = done.get(key);
        if (r == null) {
            throw new IllegalStateException("no record of " + key);
        }
        return r;
    }

    /** Which images of a batch the model gets right, clean (and, on the first batch, AutoAttack's model checks). */
    private Record cleanBatch(Classifier model, Batches batches, int b, NDManager root) {
        int offset = b * config.batchSize();
        Batch batch = batches.load(b);
        model.startBatch(config.seed() * 1_000_003L + 15_485_863L + offset); // a random defense's draws depend on the batch only
        try (NDManager m = root.newSubManager()) {
            long[] pred = AttackProblem.predict(model, batch.toNDArray(m));
            List<Integer> wrong = new ArrayList<>();
            for (int k = 0; k < pred.length; k++) {
                if (pred[k] != batch.labels()[k]) {
                    wrong.add(k);
                }
            }
            return new Record("clean", offset, wrong.stream().mapToInt(Integer::intValue).toArray(), batch.size(), 0, 0, 0, 0, null,
                    b == 0 ? modelChecks(model, batch, m) : null, null);
        }
    }

    /** Marks a batch's images robust unless the clean record says the model gets them wrong. */
    private void markClean(Record clean, boolean[] robust, int n) {
        int size = Math.min(config.batchSize(), n - clean.offset());
        for (int k = 0; k < size; k++) {
            robust[clean.offset() + k] = true;
        }
        for (int k : clean.fooled()) {
            robust[clean.offset() + k] = false;
        }
    }

    /** Stage s on one batch: its still-robust images attacked, each success saved as the PNG that fooled the model. */
    private Record attackBatch(Classifier model, ImageSet set, Batches batches, int b, boolean[] robust, int s, NDManager root, Path out,
                               java.util.function.DoubleConsumer progress) {
        Attack attack = attacks.get(s);
        String stage = s + ":" + attack.name();
        int offset = b * config.batchSize();
        int size = Math.min(config.batchSize(), set.size() - offset);
        List<Integer> rows = new ArrayList<>();
        for (int k = 0; k < size; k++) {
            if (robust[offset + k]) {
                rows.add(k);
            }
        }
        if (rows.isEmpty()) {
            return new Record(stage, offset, new int[0], 0, 0, 0, 0, 0);
        }
        long t0 = System.nanoTime();
        Batch batch = batches.load(b);
        long seed = config.seed() * 1_000_003L + s * 7919L + offset;
        Engine.getInstance().setRandomSeed((int) seed);
        model.startBatch(seed);
        try (NDManager m = root.newSubManager()) {
            NDArray all = batch.toNDArray(m);
            NDArray idx = m.create(rows.stream().mapToLong(Integer::longValue).toArray());
            NDArray x = all.get(idx);
            NDArray y = batch.labelsNDArray(m).toType(DataType.INT64, false).get(idx);
            int attacked = rows.size();
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, threat, new Random(seed), m)
                    .withProgress(f -> progress.accept(f * attacked));
            LatticeRepair.Repaired saved = LatticeRepair.repair(p, attack.run(p), m);
            float[] px = saved.images().toFloatArray();
            int per = px.length / attacked;
            List<Integer> fooled = new ArrayList<>();
            List<Integer> lostForGood = new ArrayList<>();
            for (int j = 0; j < attacked; j++) {
                if (saved.lostForGood(j)) {
                    lostForGood.add(rows.get(j));
                }
                if (!saved.fooled()[j]) {
                    continue;
                }
                int k = rows.get(j);
                fooled.add(k);
                Image clean = set.image(batch.indices()[k]);
                int[] chw = new int[per];
                for (int i = 0; i < per; i++) {
                    chw[i] = Math.round(px[j * per + i] * 255);
                }
                Path file = out.resolve(io.advkit.attack.AttackJob.outputName(set.name(batch.indices()[k])));
                ImageCodec.writePng(Image.fromChw(chw, clean.channels(), clean.width(), clean.height()), file);
            }
            return new Record(stage, offset, fooled.stream().mapToInt(Integer::intValue).toArray(), attacked, saved.floatSuccesses(),
                    saved.lost(), saved.recovered(), (System.nanoTime() - t0) / 1e9, null, null,
                    lostForGood.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** The minimal-norm attack on one batch: each image's smallest perturbation found. */
    private Record minimalBatch(Classifier model, Batches batches, int b, NDManager root, java.util.function.DoubleConsumer progress) {
        int offset = b * config.batchSize();
        long t0 = System.nanoTime();
        Batch batch = batches.load(b);
        long seed = config.seed() * 1_000_003L + 104_729L + offset;
        Engine.getInstance().setRandomSeed((int) seed);
        model.startBatch(seed);
        try (NDManager m = root.newSubManager()) {
            NDArray x = batch.toNDArray(m);
            NDArray y = batch.labelsNDArray(m).toType(DataType.INT64, false);
            AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, threat, new Random(seed), m)
                    .withProgress(f -> progress.accept(f * batch.size()));
            double[] d = minimal.minimal(p).distances();
            return new Record("minimal", offset, new int[0], batch.size(), 0, 0, 0, (System.nanoTime() - t0) / 1e9, d, null, null);
        }
    }

    /** The accuracy-vs-ε curve from each image's minimal distance, from 0 to 2ε. */
    private Curve curve(double[] distances, boolean[] cleanCorrect) {
        int n = distances.length;
        String name = ((Attack) minimal).name();
        int points = 33; // 0 .. 2ε
        double[] eps = new double[points];
        double[] eps255 = new double[points];
        double[] accuracy = new double[points];
        for (int k = 0; k < points; k++) {
            eps[k] = 2 * threat.eps() * k / (points - 1);
            eps255[k] = eps[k] * 255;
            int robust = 0;
            for (int i = 0; i < n; i++) {
                robust += cleanCorrect[i] && distances[i] > eps[k] ? 1 : 0;
            }
            accuracy[k] = 100.0 * robust / n;
        }
        Double[] shown = new Double[n];
        for (int i = 0; i < n; i++) {
            shown[i] = Double.isInfinite(distances[i]) ? null : distances[i]; // none found: null, never a made-up distance
        }
        return new Curve(name, threat.norm().toString(), shown, eps, eps255, accuracy);
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) {
            c += v ? 1 : 0;
        }
        return c;
    }

    /** AutoAttack's checks on the model: random outputs (use the rand version) and probabilities given for logits. */
    private static List<Check> modelChecks(Classifier model, Batch batch, NDManager m) {
        float[][] runs = new float[5][];
        for (int r = 0; r < runs.length; r++) {
            try (NDManager f = m.newSubManager()) {
                runs[r] = model.logits(batch.toNDArray(f)).toFloatArray();
            }
        }
        double maxDiff = 0;
        for (int r = 1; r < runs.length; r++) {
            for (int k = 0; k < runs[0].length; k++) {
                maxDiff = Math.max(maxDiff, Math.abs(runs[r][k] - runs[0][k]));
            }
        }
        boolean probabilities = true;
        int classes = runs[0].length / batch.size();
        for (int i = 0; i < batch.size() && probabilities; i++) {
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                float v = runs[0][i * classes + k];
                probabilities &= v > -1e-5 && v < 1 + 1e-5;
                sum += v;
            }
            probabilities &= Math.abs(sum - 1) < 1e-5;
        }
        return List.of(
                new Check("randomized", maxDiff > 1e-4, String.format("largest change of a logit over 5 identical forward passes: %.3g%s", maxDiff,
                        maxDiff > 1e-4 ? "; a randomized model needs the rand version (EoT)" : "")),
                new Check("probabilities", probabilities, probabilities ? "the outputs sum to 1: attacks need logits" : "outputs are logits"));
    }

    /**
     * Square lowering the robust accuracy by more than 0.2 points after every gradient attack is AutoAttack's sign that
     * the gradients are masked.
     */
    private static Check squareCheck(List<Stage> stages, int n) {
        Stage square = stages.stream().filter(s -> s.attack().equals("square")).findFirst().orElse(null);
        if (square == null || stages.indexOf(square) == 0) {
            return new Check("square", false, "no Square stage after gradient attacks");
        }
        boolean flagged = 100.0 * square.fooled() / n > 0.2;
        return new Check("square", flagged, flagged ? "Square fooled " + square.fooled()
                + " image(s) every gradient attack before it failed on: the gradients may be masked; try an adaptive attack"
                : "Square found nothing the gradient attacks missed");
    }
}

package io.advkit.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.annotations.SerializedName;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.Image;
import io.advkit.data.ImageChecks;
import io.advkit.data.ImageCodec;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefenseSpec;
import io.advkit.dist.ShardedJob;
import io.advkit.model.Classifier;
import io.advkit.util.Errors;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.Params;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The homework job: attack every image of a set with a surrogate (or ensemble), round the result to the
 * 8-bit lattice inside the budget, save it as PNG under the same name, and record what was saved:
 * {@code attack.json} holds the configuration, versions, timing and, per image, the label, the surrogates'
 * predictions before and after (on the PNG as re-read from disk) and the L∞ distance in 0..255 units.
 *
 * <p>Nothing is written before the images and labels check out. Resumable: batch b always holds the same images
 * and uses seed (seed, b); each finished batch is a line of the {@link Journal}, so after a kill the job skips
 * batches whose PNGs all exist and verify and redoes the rest, giving the files an uninterrupted run gives.
 * {@code attack.json} appears only when every image is done.
 */
public final class AttackJob implements ShardedJob {
    public static final String MANIFEST = "attack.json";
    static final String JOURNAL = ".attack-journal.jsonl";

    /** Everything that decides the saved images, as recorded; a folder resumes only under the same config. */
    public record Config(Params attack, String norm, double eps, @SerializedName("eps_255") double eps255, String loss, String target, List<String> surrogates,
                         String fusion, float[] modelWeights, DefenseSpec defense, long seed, int batchSize, String data) {}

    /** The objects the job runs with (the config is their record). */
    public record Setup(Attack attack, ThreatModel threat, Loss loss, Target target, long seed, int batchSize) {}

    /** One saved image: its label (and target), each model's prediction before and after, its L∞ distance. */
    public record ImageRecord(String name, int label, Long target, Map<String, Long> before, Map<String, Long> after, boolean fooled,
                              int linf) {}

    public record Accuracy(double clean, double adversarial) {}

    public record Summary(int images, int fooled, int maxLinf, double meanLinf, Map<String, Accuracy> accuracy) {}

    /** A model that was not attacked, evaluated on the saved images. */
    public record VictimAccuracy(String model, double accuracy) {}

    /**
     * Where a run's time went, in seconds summed over the batches it attacked (not those it resumed): decoding the
     * images, the models' predictions before and after, the attack itself, and rounding, writing and re-reading the PNGs.
     * {@code attacking} over images × steps is the attack's step rate, the figure {@code advkit bench} predicts.
     */
    public record Phases(double loading, double predicting, double attacking, double saving) {
        static final Phases NONE = new Phases(0, 0, 0, 0);

        Phases plus(Phases o) {
            return o == null ? this : new Phases(loading + o.loading, predicting + o.predicting, attacking + o.attacking, saving + o.saving);
        }
    }

    /** attack.json. */
    public record Manifest(String kind, String status, Config config, RunInfo run, double seconds, Phases phases, int resumedImages,
                           Summary summary, List<VictimAccuracy> victims, List<ImageRecord> images) {
        public Manifest withVictims(List<VictimAccuracy> v) {
            return new Manifest(kind, status, config, run, seconds, phases, resumedImages, summary, v, images);
        }
    }

    /** A finished batch, as the journal keeps it (phases: null in journals of earlier versions). */
    record BatchRecord(int batch, List<ImageRecord> images, Phases phases) {}

    private final ImageSet set;
    private final Path in;
    private final Path out;
    private final Classifier model;
    private final List<? extends Classifier> surrogates;
    private final Setup setup;
    private final Config config;
    private final boolean quiet;

    /**
     * @param model      the model attacked (a surrogate, an ensemble of them, or one behind a defense)
     * @param surrogates the individual surrogates, whose predictions are recorded
     * @param in         where {@code set} was read from (the output must stay apart from it)
     */
    public AttackJob(ImageSet set, Path in, Path out, Classifier model, List<? extends Classifier> surrogates, Setup setup, Config config,
                     boolean quiet) {
        this.set = set;
        this.in = in;
        this.out = out;
        this.model = model;
        this.surrogates = surrogates;
        this.setup = setup;
        this.config = config;
        this.quiet = quiet;
    }

    /** Output file name of an image: its own name, with a .png extension. */
    public static String outputName(String name) {
        return name.replaceFirst("\\.(?i)(jpe?g|png)$", "") + ".png";
    }

    /**
     * Whether {@code out} can take this job: never the input (however reached: links are resolved), never a
     * folder of other things or of another attack unless {@code overwrite}. Checks only; nothing is written.
     */
    public static void checkOutput(Path in, Path out, boolean overwrite, Config config) {
        OutputFolders.requireResumable(in, out, overwrite, MANIFEST, JOURNAL, config, "attack");
    }

    /** Runs (or resumes) the job; returns what it wrote to attack.json. */
    public Manifest run(boolean overwrite) {
        Instant start = Instant.now();
        checkAndClear(overwrite);
        Map<String, ImageRecord> previous = overwrite ? Map.of() : previousRecords();
        Journal<BatchRecord> journal = Journal.open(out.resolve(JOURNAL), config, BatchRecord.class);
        Map<String, ImageRecord> known = new HashMap<>(previous);
        journal.records().forEach(b -> b.images().forEach(r -> known.put(r.name(), r)));

        Batches batches = new Batches(set, setup.batchSize());
        List<ImageRecord> records = new ArrayList<>();
        Phases phases = Phases.NONE;
        int resumed = 0;
        try (Progress bar = Progress.items("attack " + setup.attack().name(), set.size(), "img", quiet);
             NDManager root = NDManager.newBaseManager()) {
            int fooled = 0;
            for (int b = 0; b < batches.count(); b++) {
                List<ImageRecord> saved = verifiedBatch(b, known);
                if (saved == null) {
                    long base = records.size();
                    int n = batches.size(b);
                    BatchRecord done;
                    try (NDManager m = root.newSubManager()) {
                        done = attackBatch(batches, b, m, f -> bar.advanceTo(base + (long) (f * n)));
                    }
                    journal.append(done);
                    saved = done.images();
                    phases = phases.plus(done.phases());
                } else {
                    resumed += saved.size();
                    bar.advanceTo(records.size() + saved.size(), true);
                }
                for (ImageRecord r : saved) {
                    fooled += r.fooled() ? 1 : 0;
                }
                records.addAll(saved);
                bar.advanceTo(records.size());
                bar.message(String.format("surrogate fooled %.1f%%", 100.0 * fooled / records.size()));
            }
        }
        Manifest manifest = new Manifest("attack", "complete", config, RunInfo.now(), Duration.between(start, Instant.now()).toMillis() / 1000.0,
                phases, resumed, summary(records), List.of(), records);
        Json.write(out.resolve(MANIFEST), manifest);
        journal.delete(); // attack.json now holds every record
        return manifest;
    }

    // --- the same job on a cluster: the driver prepares and finishes, workers run shards of batches ---

    /** The driver's checks before any shard runs: the images, the budget and the output folder, as {@link #run} does them. */
    public void prepareShards(boolean overwrite) {
        checkAndClear(overwrite);
        // the journal's header claims the folder for this configuration, so that a rerun after the driver was
        // killed recognizes it (the shards keep their own records; the cluster decides which are finished); a
        // finished job's folder needs none
        if (!Files.exists(out.resolve(MANIFEST))) {
            Journal.open(out.resolve(JOURNAL), config, BatchRecord.class);
        }
    }

    @Override
    public int batches() {
        return new Batches(set, setup.batchSize()).count();
    }

    /** Attacks batches [from, to) into this job's folder (a worker's scratch); one {@link BatchRecord} line each. */
    @Override
    public List<String> run(int from, int to) {
        Batches batches = new Batches(set, setup.batchSize());
        return ShardedJob.ofBatches(batches.count(), (b, m) -> Json.LINE.toJson(attackBatch(batches, b, m, f -> {}))).run(from, to);
    }

    /**
     * Writes attack.json from every batch's record (in batch order), as {@link #run} does at its end; the images of
     * {@code resumedBatches} (finished by an earlier run) are counted as resumed.
     */
    public Manifest finishShards(List<String> batchLines, Instant start, java.util.Set<Integer> resumedBatches) {
        List<ImageRecord> records = new ArrayList<>();
        Phases phases = Phases.NONE;
        int resumedImages = 0;
        for (String line : batchLines) {
            BatchRecord b = Json.LINE.fromJson(line, BatchRecord.class);
            records.addAll(b.images());
            if (resumedBatches.contains(b.batch())) {
                resumedImages += b.images().size();
            } else {
                phases = phases.plus(b.phases()); // the workers' time, summed: on N executors it exceeds the wall time
            }
        }
        if (records.size() != set.size()) {
            throw new IllegalStateException("the shards returned " + records.size() + " records for " + set.size() + " images");
        }
        Manifest manifest = new Manifest("attack", "complete", config, RunInfo.now(), Duration.between(start, Instant.now()).toMillis() / 1000.0,
                phases, resumedImages, summary(records), List.of(), records);
        Json.write(out.resolve(MANIFEST), manifest);
        discard(out.resolve(JOURNAL));
        return manifest;
    }

    /** A finished attack.json of this job in its folder, if there is one (a rerun of a finished cluster job has nothing to do). */
    public java.util.Optional<Manifest> finished() {
        Path manifest = out.resolve(MANIFEST);
        return Files.exists(manifest) ? java.util.Optional.of(Json.read(manifest, Manifest.class)) : java.util.Optional.empty();
    }

    /**
     * Before anything is written: every image readable, the budget fits them, the output folder may take this job;
     * with {@code overwrite}, an earlier run's records are removed.
     */
    private void checkAndClear(boolean overwrite) {
        ImageChecks.requireReadable(set); // a bad image stops the job here
        setup.threat().requireFits(new ai.djl.ndarray.types.Shape(1, set.image(0).channels(), set.image(0).height(), set.image(0).width()));
        checkOutput(in, out, overwrite, config);
        if (overwrite) {
            discard(out.resolve(MANIFEST));
            discard(out.resolve(JOURNAL));
        }
    }

    /** Adds the victims' accuracies on the saved images to a finished job's attack.json. */
    public static Manifest recordVictims(Path out, Manifest manifest, List<VictimAccuracy> victims) {
        Manifest m = manifest.withVictims(victims);
        Json.write(out.resolve(MANIFEST), m);
        return m;
    }

    private static void discard(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot remove the previous run's record (" + Errors.describe(e) + ")");
        }
    }

    private BatchRecord attackBatch(Batches batches, int b, NDManager m, java.util.function.DoubleConsumer progress) {
        long t0 = System.nanoTime();
        Batch batch = batches.load(b);
        long t1 = System.nanoTime();
        Engine.getInstance().setRandomSeed((int) (setup.seed() * 1_000_003L + b));
        Random rng = new Random(setup.seed() * 1_000_003L + b);
        model.startBatch(setup.seed() * 1_000_003L + b);
        NDArray x = batch.toNDArray(m);
        NDArray y = batch.labelsNDArray(m).toType(DataType.INT64, false);
        String[] names = new String[batch.size()];
        for (int k = 0; k < names.length; k++) {
            names[k] = set.name(batch.indices()[k]);
        }
        long[][] before = predictions(x);
        long t2 = System.nanoTime();
        NDArray goal = setup.target().labels(model, x, y, names, rng);
        AttackProblem p = new AttackProblem(model, x, y, goal, setup.target().targeted(), setup.loss(), setup.threat(), rng, m, progress);
        float[] adv = setup.attack().run(p).toFloatArray();
        long t3 = System.nanoTime();
        Saved saved = save(batch, adv, m);
        long t4 = System.nanoTime();
        long[][] after = predictions(saved.pixels());
        long t5 = System.nanoTime();
        long[] goals = goal.toLongArray();
        List<ImageRecord> records = new ArrayList<>();
        for (int k = 0; k < batch.size(); k++) {
            long fused = after[after.length - 1][k];
            boolean targeted = setup.target().targeted();
            records.add(new ImageRecord(outputName(names[k]), batch.labels()[k], targeted ? goals[k] : null, column(before, k),
                    column(after, k), targeted ? fused == goals[k] : fused != batch.labels()[k], saved.linf()[k]));
        }
        return new BatchRecord(b, records, new Phases((t1 - t0) / 1e9, (t2 - t1 + t5 - t4) / 1e9, (t3 - t2) / 1e9, (t4 - t3) / 1e9));
    }

    /** A batch as saved: its pixels re-read from the PNGs, and each image's L∞ distance from the clean one. */
    private record Saved(NDArray pixels, int[] linf) {}

    /**
     * Rounds each adversarial image to the lattice, writes its PNG and reads it back: what every prediction after
     * the attack is made on.
     */
    private Saved save(Batch batch, float[] adv, NDManager m) {
        int per = batch.channels() * batch.width() * batch.height();
        float[] reread = new float[adv.length];
        int[] linf = new int[batch.size()];
        for (int k = 0; k < batch.size(); k++) {
            int idx = batch.indices()[k];
            Image clean = set.image(idx);
            int[] cleanChw = clean.toChw();
            float[] a = new float[per];
            System.arraycopy(adv, k * per, a, 0, per);
            Path file = out.resolve(outputName(set.name(idx)));
            ImageCodec.writePng(Image.fromChw(setup.threat().toPixels(a, cleanChw), clean.channels(), clean.width(), clean.height()), file);
            Image back = ImageCodec.read(file); // evaluate exactly what was saved
            linf[k] = back.linfDistance(clean);
            int[] backChw = back.toChw();
            for (int i = 0; i < per; i++) {
                reread[k * per + i] = backChw[i] / 255f;
            }
        }
        return new Saved(m.create(reread, new ai.djl.ndarray.types.Shape(batch.size(), batch.channels(), batch.height(), batch.width())), linf);
    }

    /** Predictions of each surrogate and, last, of the attacked model (the ensemble, or the single surrogate). */
    private long[][] predictions(NDArray x) {
        long[][] p = new long[surrogates.size() + 1][];
        if (model instanceof io.advkit.model.Ensemble e && e.members().equals(surrogates)) {
            // the ensemble's prediction is fused from the members' logits: each surrogate runs once, not twice
            try (NDManager forward = AttackProblem.scopedForward(x, x.getManager())) {
                List<NDArray> logits = new ArrayList<>();
                for (int i = 0; i < surrogates.size(); i++) {
                    logits.add(surrogates.get(i).logits(x));
                    p[i] = logits.get(i).argMax(1).toLongArray();
                }
                p[surrogates.size()] = e.fuse(logits).argMax(1).toLongArray();
            }
            return p;
        }
        for (int i = 0; i < surrogates.size(); i++) {
            p[i] = AttackProblem.predict(surrogates.get(i), x);
        }
        p[surrogates.size()] = attackedIsSurrogate() ? p[0] : AttackProblem.predict(model, x);
        return p;
    }

    /** Whether the attacked model is just the one surrogate (no ensemble, no defense in front). */
    private boolean attackedIsSurrogate() {
        return surrogates.size() == 1 && model == surrogates.get(0);
    }

    private Map<String, Long> column(long[][] preds, int k) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < surrogates.size(); i++) {
            m.put(surrogates.get(i).name(), preds[i][k]);
        }
        if (!attackedIsSurrogate()) {
            m.put(surrogates.size() > 1 && model instanceof io.advkit.model.Ensemble ? "ensemble" : model.name(), preds[surrogates.size()][k]);
        }
        return m;
    }

    /**
     * The saved records of batch b if every one of its PNGs exists, decodes, has the clean image's size and
     * stays within the budget; null if the batch must be (re)done.
     */
    private List<ImageRecord> verifiedBatch(int b, Map<String, ImageRecord> known) {
        int from = b * setup.batchSize();
        int to = Math.min(set.size(), from + setup.batchSize());
        List<ImageRecord> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String name = outputName(set.name(i));
            Path f = out.resolve(name);
            ImageRecord rec = known.get(name);
            if (!Files.isRegularFile(f) || rec == null) {
                return null;
            }
            try {
                Image saved = ImageCodec.read(f);
                Image clean = set.image(i);
                if (saved.width() != clean.width() || saved.height() != clean.height()
                        || !setup.threat().within(saved.toChw(), clean.toChw())) {
                    return null;
                }
            } catch (UserError e) {
                return null; // unreadable (killed mid-write by something other than advkit): redo
            }
            records.add(rec);
        }
        return records;
    }

    /** Records of a finished run of this same job (re-running a finished job verifies and keeps its images). */
    private Map<String, ImageRecord> previousRecords() {
        Map<String, ImageRecord> m = new HashMap<>();
        Path manifest = out.resolve(MANIFEST);
        if (Files.exists(manifest)) {
            for (ImageRecord r : Json.read(manifest, Manifest.class).images()) {
                m.put(r.name(), r);
            }
        }
        return m;
    }

    static Summary summary(List<ImageRecord> records) {
        int n = records.size();
        int fooled = 0;
        int maxLinf = 0;
        double sumLinf = 0;
        Map<String, int[]> correct = new LinkedHashMap<>(); // per model: {before, after}
        for (ImageRecord r : records) {
            fooled += r.fooled() ? 1 : 0;
            maxLinf = Math.max(maxLinf, r.linf());
            sumLinf += r.linf();
            r.before().forEach((k, v) -> correct.computeIfAbsent(k, x -> new int[2])[0] += v == r.label() ? 1 : 0);
            r.after().forEach((k, v) -> correct.computeIfAbsent(k, x -> new int[2])[1] += v == r.label() ? 1 : 0);
        }
        Map<String, Accuracy> acc = new LinkedHashMap<>();
        correct.forEach((k, v) -> acc.put(k, new Accuracy(100.0 * v[0] / n, 100.0 * v[1] / n)));
        return new Summary(n, fooled, maxLinf, n == 0 ? 0 : sumLinf / n, acc);
    }
}

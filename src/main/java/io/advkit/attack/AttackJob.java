package io.advkit.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.data.ImageSet;
import io.advkit.model.Classifier;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The homework job: attack every image of a set with a surrogate (or ensemble), round the result to the
 * 8-bit lattice inside the budget, save it as PNG under the same name, and record what was saved:
 * {@code attack.json} holds the configuration, versions, timing and, per image, the label, the surrogates'
 * predictions before and after (on the PNG as re-read from disk) and the L∞ distance in 0..255 units.
 *
 * <p>Resumable: batch b always holds the same images and uses seed (seed, b), so after a kill the job skips
 * batches whose PNGs all exist and verify and redoes the rest, giving the files an uninterrupted run gives.
 */
public final class AttackJob {
    public record Config(Attack attack, ThreatModel threat, Loss loss, String lossName, Target target, long seed,
                         int batchSize, Map<String, Object> extra) {}

    private final ImageSet set;
    private final Path out;
    private final Classifier model;
    private final List<? extends Classifier> surrogates;
    private final Config config;
    private final boolean quiet;

    public AttackJob(ImageSet set, Path out, Classifier model, List<? extends Classifier> surrogates, Config config, boolean quiet) {
        this.set = set;
        this.out = out;
        this.model = model;
        this.surrogates = surrogates;
        this.config = config;
        this.quiet = quiet;
    }

    /** Output file name of image i: its own name, with a .png extension. */
    public static String outputName(String name) {
        return name.replaceFirst("\\.(?i)(jpe?g|png)$", "") + ".png";
    }

    /**
     * Refuses to write into the input or into a folder holding other things. A folder holding this same
     * attack's attack.json is resumed; with {@code overwrite}, an earlier run's records are discarded.
     */
    public static void checkOutput(Path in, Path out, boolean overwrite, Map<String, Object> configJson) {
        Path a = in.toAbsolutePath().normalize();
        Path b = out.toAbsolutePath().normalize();
        if (a.equals(b) || (Files.isDirectory(a) && b.startsWith(a)) || (Files.isDirectory(b) && a.startsWith(b))) {
            throw new UserError("--out " + out + " would overwrite or mix with the input " + in + "; choose another folder");
        }
        if (overwrite) {
            try {
                Files.deleteIfExists(out.resolve("attack.json"));
                Files.deleteIfExists(out.resolve(JOURNAL));
            } catch (IOException e) {
                throw new UserError(out + ": cannot clear the previous run (" + e.getMessage() + ")");
            }
            return;
        }
        if (!Files.isDirectory(out)) {
            return;
        }
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isEmpty()) {
                return;
            }
        } catch (IOException e) {
            throw new UserError(out + ": cannot list (" + e.getMessage() + ")");
        }
        Path manifest = out.resolve("attack.json");
        if (!Files.exists(manifest)) {
            throw new UserError("--out " + out + " is not empty and holds no attack.json; use an empty folder or --overwrite");
        }
        JsonObject old = Json.read(manifest).getAsJsonObject();
        JsonElement want = Json.GSON.toJsonTree(configJson);
        if (!want.equals(old.get("config"))) {
            throw new UserError("--out " + out + " holds a different attack (see its attack.json); use another folder or --overwrite");
        }
    }

    /** Runs (or resumes) the job; returns the per-image records. */
    public Map<String, Object> run(Map<String, Object> configJson) {
        Instant start = Instant.now();
        Batches batches = new Batches(set, config.batchSize());
        List<Map<String, Object>> records = new ArrayList<>();
        previousRecords(out.resolve("attack.json")); // read before attack.json is rewritten below
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("kind", "attack");
        manifest.put("status", "running");
        manifest.put("config", configJson);
        manifest.put("run", RunInfo.describe());
        Json.write(out.resolve("attack.json"), manifest);
        int skipped = 0;
        try (Progress bar = Progress.items("attack " + config.attack().name(), set.size(), "img", quiet);
             NDManager root = NDManager.newBaseManager()) {
            int fooled = 0;
            int done = 0;
            for (int b = 0; b < batches.count(); b++) {
                List<Map<String, Object>> saved = verifiedBatch(b);
                if (saved == null) {
                    Batch batch = batches.load(b);
                    try (NDManager m = root.newSubManager()) {
                        saved = attackBatch(batch, b, m);
                    }
                    journal(saved);
                } else {
                    skipped += saved.size();
                }
                for (Map<String, Object> r : saved) {
                    fooled += Boolean.TRUE.equals(r.get("fooled")) ? 1 : 0;
                }
                done += saved.size();
                records.addAll(saved);
                bar.step(saved.size());
                bar.message(String.format("surrogate fooled %.1f%%", 100.0 * fooled / done));
            }
        }
        manifest.put("status", "complete");
        manifest.put("seconds", Duration.between(start, Instant.now()).toMillis() / 1000.0);
        manifest.put("resumed_images", skipped);
        manifest.put("summary", summary(records));
        manifest.put("images", records);
        Json.write(out.resolve("attack.json"), manifest);
        try {
            Files.deleteIfExists(out.resolve(JOURNAL)); // attack.json now holds every record
        } catch (IOException ignored) {
            // a leftover journal only repeats attack.json
        }
        return manifest;
    }

    private static final String JOURNAL = ".attack-journal.jsonl";

    /** Appends a finished batch's records, so a killed run can resume with them. */
    private void journal(List<Map<String, Object>> records) {
        StringBuilder sb = new StringBuilder();
        for (Map<String, Object> r : records) {
            sb.append(Json.LINE.toJson(r)).append('\n');
        }
        try {
            Files.writeString(out.resolve(JOURNAL), sb, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserError(out.resolve(JOURNAL) + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private List<Map<String, Object>> attackBatch(Batch batch, int b, NDManager m) {
        Engine.getInstance().setRandomSeed((int) (config.seed() * 1_000_003L + b));
        Random rng = new Random(config.seed() * 1_000_003L + b);
        NDArray x = batch.toNDArray(m);
        NDArray y = batch.labelsNDArray(m).toType(DataType.INT64, false);
        String[] names = new String[batch.size()];
        for (int k = 0; k < names.length; k++) {
            names[k] = set.name(batch.indices()[k]);
        }
        long[][] before = predictions(x);
        NDArray goal = config.target().labels(model, x, y, names, rng);
        AttackProblem p = new AttackProblem(model, x, y, goal, config.target().targeted(), config.loss(), config.threat(), rng, m);
        float[] adv = config.attack().run(p).toFloatArray();
        int per = 3 * batch.width() * batch.height();
        float[] reread = new float[adv.length];
        int[] linf = new int[batch.size()];
        for (int k = 0; k < batch.size(); k++) {
            int idx = batch.indices()[k];
            Image clean = set.image(idx);
            int[] cleanChw = toChw(clean);
            float[] a = new float[per];
            System.arraycopy(adv, k * per, a, 0, per);
            int[] pixels = config.threat().toPixels(a, cleanChw);
            Path file = out.resolve(outputName(set.name(idx)));
            ImageCodec.writePng(fromChw(pixels, clean.width(), clean.height()), file);
            Image back = ImageCodec.read(file); // evaluate exactly what was saved
            linf[k] = back.linfDistance(clean);
            int[] backChw = toChw(back);
            for (int i = 0; i < per; i++) {
                reread[k * per + i] = backChw[i] / 255f;
            }
        }
        long[][] after = predictions(m.create(reread, x.getShape()));
        long[] goals = goal.toLongArray();
        List<Map<String, Object>> records = new ArrayList<>();
        for (int k = 0; k < batch.size(); k++) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", outputName(names[k]));
            r.put("label", batch.labels()[k]);
            if (config.target().targeted()) {
                r.put("target", goals[k]);
            }
            r.put("before", column(before, k));
            r.put("after", column(after, k));
            long fused = after[after.length - 1][k];
            r.put("fooled", config.target().targeted() ? fused == goals[k] : fused != batch.labels()[k]);
            r.put("linf", linf[k]);
            records.add(r);
        }
        return records;
    }

    /** Predictions of each surrogate and, last, of the attacked model (the ensemble, or the single surrogate). */
    private long[][] predictions(NDArray x) {
        long[][] p = new long[surrogates.size() + 1][];
        for (int i = 0; i < surrogates.size(); i++) {
            p[i] = surrogates.get(i).logits(x).argMax(1).toLongArray();
        }
        p[surrogates.size()] = attackedIsSurrogate() ? p[0] : model.logits(x).argMax(1).toLongArray();
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
    private List<Map<String, Object>> verifiedBatch(int b) {
        Path manifest = out.resolve("attack.json");
        int from = b * config.batchSize();
        int to = Math.min(set.size(), from + config.batchSize());
        Map<String, Map<String, Object>> previous = previousRecords(manifest);
        List<Map<String, Object>> records = new ArrayList<>();
        for (int i = from; i < to; i++) {
            String name = outputName(set.name(i));
            Path f = out.resolve(name);
            Map<String, Object> rec = previous.get(name);
            if (!Files.isRegularFile(f) || rec == null) {
                return null;
            }
            try {
                Image saved = ImageCodec.read(f);
                Image clean = set.image(i);
                if (saved.width() != clean.width() || saved.height() != clean.height()
                        || !config.threat().within(toChw(saved), toChw(clean))) {
                    return null;
                }
            } catch (UserError e) {
                return null; // unreadable (killed mid-write by something other than advkit): redo
            }
            records.add(rec);
        }
        return records;
    }

    private Map<String, Map<String, Object>> previousCache;

    /** Records of images finished earlier: from a completed attack.json and from the journal of a killed run. */
    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> previousRecords(Path manifest) {
        if (previousCache == null) {
            previousCache = new LinkedHashMap<>();
            if (Files.exists(manifest)) {
                JsonElement images = Json.read(manifest).getAsJsonObject().get("images");
                if (images != null && images.isJsonArray()) {
                    for (JsonElement e : images.getAsJsonArray()) {
                        Map<String, Object> r = Json.GSON.fromJson(e, Map.class);
                        previousCache.put((String) r.get("name"), r);
                    }
                }
            }
            Path journal = out.resolve(JOURNAL);
            if (Files.exists(journal)) {
                try {
                    for (String line : Files.readAllLines(journal)) {
                        try {
                            Map<String, Object> r = Json.GSON.fromJson(line, Map.class);
                            if (r != null && r.get("name") instanceof String name) {
                                previousCache.put(name, r);
                            }
                        } catch (com.google.gson.JsonParseException torn) {
                            // the last line of a killed run may be cut short: its batch is redone
                        }
                    }
                } catch (IOException e) {
                    throw new UserError(journal + ": cannot read (" + e.getMessage() + ")");
                }
            }
        }
        return previousCache;
    }

    static int[] toChw(Image img) {
        int plane = img.width() * img.height();
        int[] out = new int[plane * 3];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                out[c * plane + p] = img.pixel(3 * p + c);
            }
        }
        return out;
    }

    static Image fromChw(int[] chw, int w, int h) {
        int plane = w * h;
        byte[] rgb = new byte[plane * 3];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * p + c] = (byte) chw[c * plane + p];
            }
        }
        return new Image(w, h, rgb);
    }

    static Map<String, Object> summary(List<Map<String, Object>> records) {
        Map<String, Object> s = new LinkedHashMap<>();
        int n = records.size();
        int fooled = 0;
        int maxLinf = 0;
        double sumLinf = 0;
        Map<String, int[]> correctBefore = new LinkedHashMap<>();
        Map<String, int[]> correctAfter = new LinkedHashMap<>();
        for (Map<String, Object> r : records) {
            fooled += Boolean.TRUE.equals(r.get("fooled")) ? 1 : 0;
            int l = ((Number) r.get("linf")).intValue();
            maxLinf = Math.max(maxLinf, l);
            sumLinf += l;
            long label = ((Number) r.get("label")).longValue();
            count(correctBefore, r.get("before"), label);
            count(correctAfter, r.get("after"), label);
        }
        s.put("images", n);
        s.put("fooled", fooled);
        s.put("max_linf", maxLinf);
        s.put("mean_linf", n == 0 ? 0 : sumLinf / n);
        Map<String, Object> acc = new LinkedHashMap<>();
        correctBefore.forEach((k, v) -> acc.put(k, Map.of("clean", 100.0 * v[0] / n, "adversarial", 100.0 * correctAfter.get(k)[0] / n)));
        s.put("accuracy", acc);
        return s;
    }

    private static void count(Map<String, int[]> acc, Object preds, long label) {
        ((Map<?, ?>) preds).forEach((k, v) -> acc.computeIfAbsent((String) k, x -> new int[1])[0] += ((Number) v).longValue() == label ? 1 : 0);
    }
}

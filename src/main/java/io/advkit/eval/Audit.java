package io.advkit.eval;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.advkit.attack.APGD;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.FGM;
import io.advkit.attack.Loss;
import io.advkit.attack.PGD;
import io.advkit.attack.ThreatModel;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageSet;
import io.advkit.defense.Defenses;
import io.advkit.defense.DefendedModel;
import io.advkit.defense.GradientMode;
import io.advkit.model.Classifier;
import io.advkit.util.Progress;

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
 *   <li>a transfer attack: PGD on the undefended model, evaluated on the defended one;</li>
 *   <li>random sampling: {@code randomDraws} uniformly random corners of the ε-box per image;</li>
 *   <li>unbounded PGD (ε = 255/255), adaptive;</li>
 *   <li>an ε sweep of PGD, naive and adaptive.</li>
 * </ul>
 * Robust accuracy is worst case per image: an image counts only if every bounded attack at ε failed on it.
 * The five symptoms of obfuscated gradients are checked on the naive results ({@link Symptoms}).
 */
public final class Audit {
    public record Config(ThreatModel threat, int pgdSteps, int apgdIterations, int eot, double[] sweepEps255,
                         int randomDraws, int batchSize, long seed, DefendedModel.Approximation approximation) {}

    private final Config config;

    public Audit(Config config) {
        this.config = config;
    }

    /** One attack's outcome over the set: fooled[i] = image i misclassified after the attack. */
    record Row(String name, String gradients, double eps255, boolean[] fooled) {}

    public Map<String, Object> run(Classifier base, String defense, ImageSet set, boolean quiet) {
        return run(base, defense, set, quiet, null);
    }

    /**
     * As {@link #run(Classifier, String, ImageSet, boolean)}; with a journal file, each finished batch is appended
     * to it and batches found there (from a killed run with the same settings) are not attacked again.
     */
    public Map<String, Object> run(Classifier base, String defense, ImageSet set, boolean quiet, Path journal) {
        boolean none = defense == null || defense.isBlank() || defense.equals("none");
        boolean hasRandomOrNonDiff = !none; // with no preprocessing, naive and adaptive gradients are the same
        int n = set.size();
        boolean[] cleanCorrect = new boolean[n];
        Map<String, Row> rows = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        int steps = 8 + 3 + 2 * config.sweepEps255().length; // naive+adaptive suite, transfer, random, unbounded, sweep
        AuditJournal done = journal == null ? null : AuditJournal.open(journal, fingerprint(base.name(), defense, set));
        try (Progress bar = Progress.items("audit", (long) n * steps, "img-attacks", quiet);
             NDManager root = NDManager.newBaseManager()) {
            int offset = 0;
            for (Batch b : new Batches(set, config.batchSize())) {
                BatchOutcome outcome = done == null ? null : done.get(offset);
                if (outcome == null) {
                    try (NDManager m = root.newSubManager()) {
                        outcome = auditBatch(base, defense, none, b, offset, m, bar);
                    }
                    if (done != null) {
                        done.append(offset, outcome);
                    }
                } else {
                    bar.step((long) b.size() * steps);
                }
                for (int i = 0; i < b.size(); i++) {
                    cleanCorrect[offset + i] = !outcome.cleanFooled()[i];
                    names.add(set.name(b.indices()[i]));
                }
                for (Map.Entry<String, boolean[]> e : outcome.fooled().entrySet()) {
                    String[] k = e.getKey().split("\\|");
                    Row r = rows.computeIfAbsent(e.getKey(), key -> new Row(k[0], k[1], Double.parseDouble(k[2]), new boolean[n]));
                    System.arraycopy(e.getValue(), 0, r.fooled(), offset, e.getValue().length);
                }
                offset += b.size();
            }
        }
        return summarize(rows, cleanCorrect, names, base.name(), none ? "none" : defense, hasRandomOrNonDiff);
    }

    /** What one batch's attacks did: clean misclassification and, per "attack|gradients|eps" key, who was fooled. */
    record BatchOutcome(boolean[] cleanFooled, Map<String, boolean[]> fooled) {}

    /** Everything that decides the audit's numbers, so a journal from other settings is never mixed in. */
    private String fingerprint(String model, String defense, ImageSet set) {
        return String.join(" ", model, String.valueOf(defense), set.describe().toString(), String.valueOf(set.size()),
                config.threat().toString(), "pgd=" + config.pgdSteps(), "apgd=" + config.apgdIterations(), "eot=" + config.eot(),
                "sweep=" + java.util.Arrays.toString(config.sweepEps255()), "random=" + config.randomDraws(),
                "batch=" + config.batchSize(), "seed=" + config.seed(), "bpda=" + config.approximation());
    }

    private BatchOutcome auditBatch(Classifier base, String defense, boolean none, Batch b, int offset, NDManager m, Progress bar) {
        ThreatModel tm = config.threat();
        Function<GradientMode, Classifier> defended = mode -> none ? base
                : Defenses.wrap(base, defense, mode, config.approximation(), config.eot(), config.seed());
        boolean hasRandomOrNonDiff = !none;
        Map<String, boolean[]> rows = new LinkedHashMap<>();
        NDArray x = b.toNDArray(m);
        NDArray y = b.labelsNDArray(m).toType(DataType.INT64, false);
        long seed = config.seed() * 1_000_003L + offset;
        // evaluation: the defended model as deployed (its own randomness, fixed per batch)
        // The forward's activations attach to the input's manager: with the batch's manager they would pile up
        // over the ~30 evaluations of a batch (gigabytes for a ResNet-56), so each evaluation gets its own.
        Function<NDArray, boolean[]> fooled = adv -> {
            Classifier judge = defended.apply(GradientMode.NAIVE);
            long[] p;
            try (NDManager eval = AttackProblem.scopedForward(adv, m)) {
                p = judge.logits(adv).argMax(1).toLongArray();
            }
            long[] t = y.toLongArray();
            boolean[] f = new boolean[p.length];
            for (int i = 0; i < p.length; i++) {
                f[i] = p[i] != t[i];
            }
            return f;
        };
        boolean[] clean = fooled.apply(x);
        for (GradientMode mode : hasRandomOrNonDiff ? List.of(GradientMode.NAIVE, GradientMode.ADAPTIVE) : List.of(GradientMode.NAIVE)) {
            String g = mode == GradientMode.NAIVE ? "naive" : "adaptive";
            Classifier target = defended.apply(mode);
            List<Attack> suite = List.of(new FGM(tm.eps()), new PGD(config.pgdSteps(), 2.5 * tm.eps() / config.pgdSteps(), 1),
                    new APGD(config.apgdIterations(), 1, Loss.CE, "apgd-ce"), new APGD(config.apgdIterations(), 1, Loss.DLR, "apgd-dlr"));
            for (Attack a : suite) {
                rows.put(key(a.name(), g, tm.eps255()), fooled.apply(attack(a, target, x, y, tm, m, seed)));
                bar.step(b.size());
            }
        }
        if (!hasRandomOrNonDiff) {
            bar.step(4L * b.size()); // the adaptive half of the suite is the naive half here
        }
        // transfer: white-box PGD on the undefended model
        NDArray transfer = attack(new PGD(config.pgdSteps(), 2.5 * tm.eps() / config.pgdSteps(), 1), base, x, y, tm, m, seed);
        rows.put(key("transfer-pgd", "undefended", tm.eps255()), fooled.apply(transfer));
        bar.step(b.size());
        // random corners of the ε-box
        boolean[] anyRandom = new boolean[b.size()];
        Engine.getInstance().setRandomSeed((int) seed);
        for (int r = 0; r < config.randomDraws(); r++) {
            boolean[] f;
            try (NDManager draw = AttackProblem.scopedForward(x, m)) {
                NDArray signs = draw.randomUniform(-1f, 1f, x.getShape()).sign();
                f = fooled.apply(Lattice.round(x.add(signs.mul((float) tm.eps())).clip(0, 1), x, tm));
            }
            for (int i = 0; i < f.length; i++) {
                anyRandom[i] |= f[i];
            }
        }
        rows.put(key("random", "none", tm.eps255()), anyRandom);
        bar.step(b.size());
        // unbounded: every image should fall
        ThreatModel unbounded = tm.withEps(1.0);
        Classifier adaptive = defended.apply(hasRandomOrNonDiff ? GradientMode.ADAPTIVE : GradientMode.NAIVE);
        rows.put(key("pgd-unbounded", hasRandomOrNonDiff ? "adaptive" : "naive", 255),
                fooled.apply(attack(new PGD(config.pgdSteps(), 2.5 / config.pgdSteps(), 1), adaptive, x, y, unbounded, m, seed)));
        bar.step(b.size());
        for (double e : config.sweepEps255()) {
            ThreatModel te = tm.withEps(e / 255);
            for (GradientMode mode : List.of(GradientMode.NAIVE, GradientMode.ADAPTIVE)) {
                if (mode == GradientMode.ADAPTIVE && !hasRandomOrNonDiff) {
                    bar.step(b.size());
                    continue;
                }
                Attack a = new PGD(config.pgdSteps(), 2.5 * te.eps() / config.pgdSteps(), 1);
                String g = mode == GradientMode.NAIVE ? "naive" : "adaptive";
                rows.put(key("pgd-sweep", g, e), fooled.apply(attack(a, defended.apply(mode), x, y, te, m, seed)));
                bar.step(b.size());
            }
        }
        return new BatchOutcome(clean, rows);
    }

    private static String key(String name, String gradients, double eps255) {
        return name + "|" + gradients + "|" + eps255;
    }

    private static NDArray attack(Attack a, Classifier model, NDArray x, NDArray y, ThreatModel tm, NDManager m, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        AttackProblem p = new AttackProblem(model, x, y, y, false, Loss.CE, tm, new Random(seed), m);
        return Lattice.round(a.run(p), x, tm);
    }

    private Map<String, Object> summarize(Map<String, Row> rows, boolean[] cleanCorrect, List<String> names, String model,
                                          String defense, boolean hasPreprocessing) {
        int n = cleanCorrect.length;
        double eps = config.threat().eps255();
        boolean[] robust = cleanCorrect.clone();
        List<Map<String, Object>> attacks = new ArrayList<>();
        for (Row r : rows.values()) {
            boolean bounded = r.eps255() == eps && !r.name().equals("pgd-unbounded") && !r.name().equals("pgd-sweep");
            int fooled = 0;
            int correctAfter = 0;
            for (int i = 0; i < n; i++) {
                fooled += r.fooled()[i] ? 1 : 0;
                correctAfter += cleanCorrect[i] && !r.fooled()[i] ? 1 : 0;
                if (bounded && r.fooled()[i]) {
                    robust[i] = false;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("attack", r.name());
            m.put("gradients", r.gradients());
            m.put("eps_255", r.eps255());
            m.put("robust_accuracy", 100.0 * correctAfter / n);
            m.put("success_rate", 100.0 * fooled / n);
            m.put("in_worst_case", bounded);
            List<String> fooledNames = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (r.fooled()[i]) {
                    fooledNames.add(names.get(i));
                }
            }
            m.put("fooled_images", fooledNames);
            attacks.add(m);
        }
        String naive = "naive";
        boolean[] gradientAny = new boolean[n];
        for (String a : List.of("fgm", "pgd", "apgd-ce", "apgd-dlr")) {
            boolean[] f = rows.get(a + "|" + naive + "|" + eps).fooled();
            for (int i = 0; i < n; i++) {
                gradientAny[i] |= f[i];
            }
        }
        double[] sweep = config.sweepEps255();
        double[] naiveSweep = new double[sweep.length];
        double[] adaptiveSweep = new double[sweep.length];
        for (int k = 0; k < sweep.length; k++) {
            naiveSweep[k] = 100.0 * Symptoms.count(rows.get("pgd-sweep|naive|" + sweep[k]).fooled()) / n;
            Row ad = rows.get("pgd-sweep|adaptive|" + sweep[k]);
            adaptiveSweep[k] = 100.0 * Symptoms.count((ad == null ? rows.get("pgd-sweep|naive|" + sweep[k]) : ad).fooled()) / n;
        }
        List<Symptoms.Check> checks = Symptoms.check(new Symptoms.Outcomes(rows.get("fgm|naive|" + eps).fooled(),
                rows.get("pgd|naive|" + eps).fooled(), rows.get("transfer-pgd|undefended|" + eps).fooled(),
                rows.get("pgd|naive|" + eps).fooled(), rows.get("pgd-unbounded|" + (hasPreprocessing ? "adaptive" : "naive") + "|255.0").fooled(),
                rows.get("random|none|" + eps).fooled(), gradientAny, sweep, naiveSweep));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "audit");
        out.put("model", model);
        out.put("defense", defense);
        out.put("images", n);
        out.put("threat", config.threat().toString());
        out.put("clean_accuracy", 100.0 * Symptoms.count(cleanCorrect) / n);
        out.put("worst_case_robust_accuracy", 100.0 * Symptoms.count(robust) / n);
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("pgd_steps", config.pgdSteps());
        cfg.put("apgd_iterations", config.apgdIterations());
        cfg.put("eot_samples", config.eot());
        cfg.put("bpda", config.approximation().name().toLowerCase(java.util.Locale.ROOT));
        cfg.put("random_draws", config.randomDraws());
        cfg.put("sweep_eps_255", sweep);
        cfg.put("seed", config.seed());
        out.put("config", cfg);
        out.put("symptoms", Symptoms.toJson(checks));
        out.put("sweep", Map.of("eps_255", sweep, "naive_success", naiveSweep, "adaptive_success", adaptiveSweep));
        out.put("attacks", attacks);
        return out;
    }
}

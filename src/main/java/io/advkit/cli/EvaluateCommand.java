package io.advkit.cli;

import io.advkit.attack.Attack;
import io.advkit.attack.AttackSettings;
import io.advkit.attack.Attacks;
import io.advkit.attack.ThreatModel;
import io.advkit.data.ImageChecks;
import io.advkit.data.Batches;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefenseSpec;
import io.advkit.dist.Cluster;
import io.advkit.dist.ShardedJob;
import io.advkit.eval.Cascade;
import io.advkit.eval.Evaluator;
import io.advkit.model.Classifier;
import io.advkit.model.LoadedClassifier;
import io.advkit.util.Interruption;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.Params;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** AutoAttack's evaluation, with every success checked on the 8-bit image that is saved. */
@Command(name = "evaluate",
        description = "Robust accuracy by AutoAttack's cascade (standard: APGD-CE, APGD-T, FAB-T, Square), each success verified on the saved 8-bit PNG. Resumes when re-run.")
public final class EvaluateCommand implements Callable<Integer>, Shards.Sharded {
    static final String MANIFEST = "evaluate.json";
    static final String JOURNAL = ".evaluate-journal.jsonl";

    // not mixinStandardHelpOptions: its --version clashes with AutoAttack's --version below, and picocli then drops
    // the whole standard set, --help included
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DefenseOptions defenseOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC", description = "zoo NAME, NAME=FILE, ARCH:CLASSES:NORMALIZATION=FILE, FILE.advkit, lgv:DIR or lgv:NAME (a collection), torchscript:FILE or onnx:FILE (scores only)")
    String model;

    @Option(names = "--version", defaultValue = "standard",
            description = "standard (apgd-ce, apgd-t, fab-t, square), plus (+ apgd-dlr, fab, 5 restarts) or rand (apgd-ce, apgd-dlr; with EoT for random defenses); default ${DEFAULT-VALUE}")
    String version;

    @Option(names = "--attacks", split = ",", paramLabel = "NAME", description = "a cascade of your own instead of a version, e.g. apgd-ce,square (advkit list attacks)")
    List<String> custom;

    @Option(names = "--min-norm", paramLabel = "ATTACK",
            description = "also each image's smallest adversarial perturbation by this minimal-norm attack (fmn, fmn-t, fab, fab-t, cw-l2 for l2, deepfool), and the accuracy-vs-eps curve it gives")
    String minNorm;

    @Option(names = "--min-norm-steps", paramLabel = "N", description = "steps of the --min-norm attack (default: its paper's; FMN 100, 1000 for its tightest curve)")
    Integer minNormSteps;

    @Option(names = "--norm", defaultValue = "linf", description = "linf, l2 or l1 (default ${DEFAULT-VALUE})")
    String norm;

    @Option(names = "--eps", defaultValue = "8", description = "budget on the 0..255 scale (8 = 8/255), or \"8/255\"; with --eps-scale 1 in [0,1] units (default ${DEFAULT-VALUE})")
    String eps;

    @Option(names = "--eps-scale", defaultValue = "255", description = "255: --eps in 0..255 units; 1: in [0,1] units (L2: --eps 0.5 --eps-scale 1)")
    double epsScale;

    @Option(names = "--batch-size", defaultValue = "250", description = "images per batch (default ${DEFAULT-VALUE}, AutoAttack's)")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes evaluate.json and every image as evaluated (its adversarial example, or itself if robust)")
    Path out;

    @Option(names = "--overwrite", description = "reuse a non-empty --out, discarding an earlier run's records")
    boolean overwrite;

    /**
     * The attacks of a version, as AutoAttack configures them. L1 (standard only): APGD-CE with 5 restarts and APGD-T
     * with 5 targets, both L1-APGD, then FAB-T and Square-L1 (5,000 queries).
     */
    static List<Attack> version(String version, io.advkit.attack.Norm norm) {
        AttackSettings aa = AttackSettings.DEFAULTS;
        if (norm == io.advkit.attack.Norm.L1) {
            if (!version.equalsIgnoreCase("standard")) {
                throw new UserError("--norm l1 has the standard version only (APGD-CE, APGD-T, FAB-T, Square); or give --attacks");
            }
            return List.of(Attacks.build("apgd-ce", aa.withRestarts(5)), Attacks.build("apgd-t", aa.withTargets(5)), Attacks.build("fab-t", aa),
                    Attacks.build("square", aa));
        }
        return switch (version.toLowerCase(Locale.ROOT)) {
            case "standard" -> List.of(Attacks.build("apgd-ce", aa), Attacks.build("apgd-t", aa), Attacks.build("fab-t", aa),
                    Attacks.build("square", aa));
            case "plus" -> List.of(Attacks.build("apgd-ce", aa.withRestarts(5)), Attacks.build("apgd-dlr", aa.withRestarts(5)),
                    Attacks.build("fab", aa.withRestarts(5)), Attacks.build("square", aa), Attacks.build("apgd-t", aa), Attacks.build("fab-t", aa));
            case "rand" -> List.of(Attacks.build("apgd-ce", aa), Attacks.build("apgd-dlr", aa));
            default -> throw new UserError("--version must be standard, plus or rand, got " + version);
        };
    }

    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    /** The cascade the settings ask for, checked before anything is loaded or written. */
    private record Plan(ImageSet set, Cascade cascade, DefenseSpec defense, List<Attack> attacks, io.advkit.attack.MinimalNorm minimal,
                        Cascade.Config config) {}

    private Plan plan() {
        ImageSet set = dataOptions.open();
        ThreatModel tm = ThreatModel.parse(norm, eps, epsScale);
        List<Attack> attacks = custom == null ? version(version, tm.norm()) : new ArrayList<>();
        if (custom != null) {
            for (String a : custom) {
                attacks.add(Attacks.build(a, AttackSettings.DEFAULTS));
            }
        }
        if (batchSize < 1) {
            throw new UserError("--batch-size must be at least 1, got " + batchSize);
        }
        cluster.check(batchSize);
        DefenseSpec defense = defenseOptions.spec();
        if (version.equalsIgnoreCase("rand") && defense != null && custom == null) {
            defense = new DefenseSpec(defense.spec(), "eot".equals(defense.gradients()) || "adaptive".equals(defense.gradients())
                    ? defense.gradients() : "eot", defense.bpda(), 20, defense.seed()); // AutoAttack's rand: EoT over 20 draws
        }
        List<Params> recorded = attacks.stream().map(Attack::params).toList();
        String modelName = defense == null ? model : model + " behind " + defense.spec();
        io.advkit.attack.MinimalNorm minimal = null;
        if (minNormSteps != null && minNorm == null) {
            throw new UserError("--min-norm-steps sets the steps of --min-norm; give --min-norm too");
        }
        if (minNorm != null) {
            if (minNormSteps != null && minNormSteps < 1) {
                throw new UserError("--min-norm-steps must be at least 1, got " + minNormSteps);
            }
            Attack a = Attacks.build(minNorm, AttackSettings.DEFAULTS.withSteps(minNormSteps));
            if (!(a instanceof io.advkit.attack.MinimalNorm mn)) {
                throw new UserError("--min-norm " + minNorm + " is not a minimal-norm attack; use fmn, fmn-t, fab, fab-t, cw-l2 or deepfool");
            }
            minimal = mn;
            recorded = new ArrayList<>(recorded);
            recorded.add(a.params().and("minimal_norm", true));
        }
        Cascade.Config config = new Cascade.Config(modelName, custom == null ? version : "custom", tm.norm().toString(), tm.eps(), tm.eps255(),
                recorded, batchSize, seed, set.describe(), set.size());
        Cascade cascade = new Cascade(config, attacks, tm, common.quiet);
        if (minimal != null) {
            cascade.withMinimalNorm(minimal);
        }
        return new Plan(set, cascade, defense, attacks, minimal, config);
    }

    /** The model as evaluated (behind its defense), refused if the data or an attack does not fit it. */
    private Classifier target(Plan p, LoadedClassifier m) {
        Classifier target = p.defense() == null ? m : p.defense().wrap(m);
        Evaluator.check(target, p.set());
        p.attacks().forEach(a -> a.requireUsableOn(target));
        if (p.minimal() != null) {
            ((Attack) p.minimal()).requireUsableOn(target);
        }
        return target;
    }

    @Override
    public Integer call() {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        Plan p = plan();
        OutputFolders.requireResumable(dataOptions.data, out, overwrite, MANIFEST, JOURNAL, p.config(), "evaluation");
        try (LoadedClassifier m = external.loader(common, p.set()).load(model)) {
            Classifier target = target(p, m);
            ImageChecks.requireReadable(p.set());
            if (overwrite) {
                deleteIfExists(out.resolve(MANIFEST));
                deleteIfExists(out.resolve(JOURNAL));
            }
            Cascade.Result result;
            if (cluster.enabled()) {
                // the journal's header claims the folder for this configuration (a rerun after a kill is recognized);
                // the shards keep the records
                Instant start = Instant.now();
                Journal.open(out.resolve(JOURNAL), p.config(), Object.class);
                Cluster.Result r = cluster.run(spec, out, new Batches(p.set(), batchSize).count(), batchSize, common.quiet);
                result = p.cascade().assemble(p.set(), out, r.records(), start);
                deleteIfExists(out.resolve(JOURNAL));
                Cluster.find().forgetShards(out);
            } else {
                result = p.cascade().run(target, p.set(), out, out.resolve(JOURNAL));
            }
            Json.write(out.resolve(MANIFEST), result);
            print(result);
        }
        return 0;
    }

    /** A worker's part of a cluster run: the whole cascade on its batches, the model loaded once per process. */
    @Override
    public ShardedJob shardedJob(Path scratch) {
        common.apply();
        Plan p = plan();
        LoadedClassifier m = ModelCache.load(external.loader(common, p.set()), model, spec.commandLine().getParseResult().originalArgs());
        return p.cascade().shards(target(p, m), p.set(), scratch);
    }

    private static void deleteIfExists(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (java.io.IOException e) {
            throw new UserError(f + ": cannot remove the previous run's record (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    static void print(Cascade.Result r) {
        Cascade.Config c = r.config();
        System.out.printf("%s, %s version, %s, %d images: clean %.1f%%, robust %.1f%% (%.0f s)%n", c.model(), c.version(),
                new ThreatModel(io.advkit.attack.Norm.parse(c.norm()), c.eps()), c.images(), r.cleanAccuracy(), r.robustAccuracy(), r.seconds());
        System.out.printf("%-10s %9s %7s %10s %15s %10s%n", "attack", "attacked", "fooled", "robust", "lost to 8 bits", "recovered");
        for (Cascade.Stage s : r.stages()) {
            System.out.printf("%-10s %9d %7d %9.1f%% %15d %10d%n", s.attack(), s.attacked(), s.fooled(), s.robustAccuracy(), s.lostToRounding(), s.recovered());
        }
        if (r.minimalNorm() != null) {
            Cascade.Curve cv = r.minimalNorm();
            System.out.printf("minimal-norm %s: accuracy %.1f%% at eps/2, %.1f%% at eps, %.1f%% at 2 eps (float distances)%n", cv.attack(),
                    cv.accuracy()[8], cv.accuracy()[16], cv.accuracy()[32]);
        }
        for (Cascade.Check ch : r.checks()) {
            if (ch.flagged()) {
                System.out.println("warning: " + ch.detail());
            }
        }
    }
}

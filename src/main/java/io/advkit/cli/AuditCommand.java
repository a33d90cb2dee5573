package io.advkit.cli;

import io.advkit.data.Batches;
import io.advkit.data.ImageChecks;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefendedModel;
import io.advkit.defense.Defenses;
import io.advkit.dist.Cluster;
import io.advkit.dist.ShardedJob;
import io.advkit.eval.Audit;
import io.advkit.eval.Evaluator;
import io.advkit.eval.Symptoms;
import io.advkit.model.LoadedClassifier;
import io.advkit.report.Charts;
import io.advkit.report.ReportBuilder;
import io.advkit.util.Interruption;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Callable;

/** The robustness audit of a model behind a defense: adaptive attacks and the obfuscated-gradient symptoms. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Audit a (defended) model: naive and adaptive (BPDA/EoT) attacks, transfer, random, unbounded, an eps sweep, and Athalye et al.'s five symptoms.")
public final class AuditCommand implements Callable<Integer>, Shards.Sharded {
    static final String JOURNAL = ".audit-journal.jsonl";

    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Mixin
    DataOptions dataOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC",
            description = "zoo NAME, NAME=FILE, ARCH:CLASSES:NORMALIZATION=FILE, FILE.advkit, lgv:DIR or lgv:NAME (a collection), torchscript:FILE or onnx:FILE (scores only)")
    String model;

    @Option(names = "--defense", defaultValue = "none", paramLabel = "SPEC", completionCandidates = Names.DefenseNames.class,
            description = "steps chained with +: ${COMPLETION-CANDIDATES}, or none (advkit list defenses)")
    String defense;

    @Option(names = "--eps", defaultValue = "8", description = "L-inf budget on the 0..255 scale (default ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--pgd-steps", defaultValue = "20", description = "PGD steps, step size 2.5*eps/steps (default ${DEFAULT-VALUE})")
    int pgdSteps;

    @Option(names = "--apgd-iters", defaultValue = "50", description = "APGD-CE and APGD-DLR iterations, and the reparameterization attack's steps behind defense-gan (default ${DEFAULT-VALUE})")
    int apgdIters;

    @Option(names = "--eot", defaultValue = "8", description = "EoT draws per gradient for random defenses (default ${DEFAULT-VALUE})")
    int eot;

    @Option(names = "--bpda", defaultValue = "identity", description = "BPDA approximation: identity, blur or diff (each step's differentiable approximation)")
    String bpda;

    @Option(names = "--sweep", split = ",", defaultValue = "1,2,4,8,16", description = "eps sweep, 0..255 scale (default ${DEFAULT-VALUE})")
    double[] sweep;

    @Option(names = "--random-draws", defaultValue = "20", description = "random corners of the eps-box tried per image (default ${DEFAULT-VALUE})")
    int randomDraws;

    @Option(names = "--square-queries", defaultValue = "1000", description = "queries per image of the gradient-free Square attack; 0 leaves it out (default ${DEFAULT-VALUE})")
    int squareQueries;

    @Option(names = "--spsa-iterations", defaultValue = "20",
            description = "iterations of SPSA (128 score probes each) against a randomized defense; 0 leaves it out (default ${DEFAULT-VALUE})")
    int spsaIterations;

    @Option(names = "--batch-size", defaultValue = "100", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed of random starts, draws and defenses (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes audit.json and audit.png")
    Path out;

    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    /** The audit's settings, checked before anything is loaded or written. */
    private Audit.Config config() {
        if (pgdSteps < 1 || apgdIters < 2 || eot < 1 || randomDraws < 0 || squareQueries < 0 || spsaIterations < 0 || batchSize < 1) {
            throw new UserError("--pgd-steps >= 1, --apgd-iters >= 2, --eot >= 1, --random-draws >= 0, --square-queries >= 0, --spsa-iterations >= 0 and --batch-size >= 1 are required");
        }
        cluster.check(batchSize);
        Audit.Config cfg = new Audit.Config(eps, pgdSteps, apgdIters, eot, sweep, randomDraws, squareQueries, spsaIterations, batchSize, seed,
                DefendedModel.Approximation.parse(bpda));
        cfg.threat(); // the budget is checked before anything runs
        for (double e : sweep) {
            cfg.threat().withEps(e / 255);
        }
        Defenses.validate(defense);
        return cfg;
    }

    /** Refuses a model the audit cannot attack or that cannot classify the set. */
    private static void check(LoadedClassifier m, ImageSet set) {
        if (!m.differentiable()) {
            throw new UserError("the audit compares gradient attacks (naive, BPDA, EoT) and needs input gradients, but " + m.name()
                    + " is run as a black box (ONNX); export it to TorchScript, or run evaluate --attacks square on it");
        }
        Evaluator.check(m, set);
    }

    @Override
    public Integer call() throws java.io.IOException {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        ImageSet set = dataOptions.open();
        Audit.Config cfg = config();
        OutputFolders.requireApartFrom(dataOptions.data, out);
        OutputFolders.requireNoForeignImages(out, Set.of("audit.png"));
        Audit.Result result;
        try (LoadedClassifier m = external.loader(common, set).load(model)) {
            check(m, set);
            ImageChecks.requireReadable(set);
            if (cluster.enabled()) { // the shards' records are kept in out, so a rerun after a kill resumes from them too
                Cluster.Result r = cluster.run(spec, out, new Batches(set, batchSize).count(), batchSize, common.quiet);
                result = new Audit(cfg).assembleShards(m.name(), defense, set, r.records());
            } else {
                // a killed audit resumes from its journal with the same command
                result = new Audit(cfg).run(m, defense, set, common.quiet, out.resolve(JOURNAL));
            }
        }
        Json.write(out.resolve("audit.json"), result);
        Charts.lines(out.resolve("audit.png"), "PGD accuracy vs eps: " + result.model() + " + " + result.defense(),
                "eps (/255)", "accuracy under PGD (%)", ReportBuilder.sweepSeries(result.sweep()));
        Files.deleteIfExists(out.resolve(JOURNAL)); // audit.json now holds everything
        if (cluster.enabled()) {
            Cluster.find().forgetShards(out);
        }
        print(result);
        return 0;
    }

    /** A worker's part of a cluster run: the audit of its batches, the model loaded once per process. */
    @Override
    public ShardedJob shardedJob(Path scratch) {
        common.apply();
        ImageSet set = dataOptions.open();
        Audit.Config cfg = config();
        LoadedClassifier m = ModelCache.load(external.loader(common, set), model, spec.commandLine().getParseResult().originalArgs());
        check(m, set);
        return new Audit(cfg).shards(m, defense, set);
    }

    static void print(Audit.Result r) {
        System.out.printf("audit of %s behind %s on %d images, %s%n", r.model(), r.defense(), r.images(), r.threat());
        System.out.printf("clean accuracy %.1f%%, worst-case robust accuracy %.1f%%%n", r.cleanAccuracy(), r.worstCaseRobustAccuracy());
        System.out.printf("%-14s %-11s %7s %10s%n", "attack", "gradients", "eps", "accuracy");
        for (Audit.Row a : r.attacks()) {
            System.out.printf("%-14s %-11s %7s %9.1f%%%n", a.attack(), a.gradients(), a.eps255(), a.robustAccuracy());
        }
        System.out.println("symptoms of obfuscated gradients (Athalye et al. 2018):");
        for (Symptoms.Check s : r.symptoms()) {
            System.out.printf("  (%d) %-72s %s  [%s]%n", s.symptom(), s.description(), s.flagged() ? "FLAGGED" : "ok", s.evidence());
        }
    }
}

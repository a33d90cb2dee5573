package io.advkit.cli;

import io.advkit.attack.ThreatModel;
import io.advkit.data.ImageSet;
import io.advkit.eval.Audit;
import io.advkit.model.ZooModel;
import io.advkit.report.Charts;
import io.advkit.util.Json;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** The robustness audit of a model behind a defense: adaptive attacks and the obfuscated-gradient symptoms. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Audit a (defended) model: naive and adaptive (BPDA/EoT) attacks, transfer, random, unbounded, an eps sweep, and Athalye et al.'s five symptoms.")
public final class AuditCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions dataOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC",
            description = "zoo NAME, NAME=FILE, or ARCH:CLASSES:NORMALIZATION=FILE")
    String model;

    @Option(names = "--defense", defaultValue = "none", paramLabel = "SPEC", description = "jpeg:Q, slq, shield-ensemble, bitdepth:B, median:K, noise:S, resize-pad:N, chained with +, or none")
    String defense;

    @Option(names = "--eps", defaultValue = "8", description = "L-inf budget on the 0..255 scale (default ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--pgd-steps", defaultValue = "20", description = "PGD steps, step size 2.5*eps/steps (default ${DEFAULT-VALUE})")
    int pgdSteps;

    @Option(names = "--apgd-iters", defaultValue = "50", description = "APGD-CE and APGD-DLR iterations (default ${DEFAULT-VALUE})")
    int apgdIters;

    @Option(names = "--eot", defaultValue = "8", description = "EoT draws per gradient for random defenses (default ${DEFAULT-VALUE})")
    int eot;

    @Option(names = "--bpda", defaultValue = "identity", description = "BPDA approximation: identity or blur")
    String bpda;

    @Option(names = "--sweep", split = ",", defaultValue = "1,2,4,8,16", description = "eps sweep, 0..255 scale (default ${DEFAULT-VALUE})")
    double[] sweep;

    @Option(names = "--random-draws", defaultValue = "20", description = "random corners of the eps-box tried per image (default ${DEFAULT-VALUE})")
    int randomDraws;

    @Option(names = "--batch-size", defaultValue = "100", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed of random starts, draws and defenses (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes audit.json and audit.png")
    Path out;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws java.io.IOException {
        common.apply();
        if (pgdSteps < 1 || apgdIters < 2 || eot < 1) {
            throw new UserError("--pgd-steps >= 1, --apgd-iters >= 2 and --eot >= 1 are required");
        }
        ImageSet set = dataOptions.open();
        DefenseOptions d = new DefenseOptions();
        d.bpda = bpda;
        Audit.Config cfg = new Audit.Config(new ThreatModel(io.advkit.attack.Norm.LINF, eps / 255), pgdSteps, apgdIters, eot, sweep,
                randomDraws, batchSize, seed, d.approximation());
        Map<String, Object> result;
        Path journal = out.resolve(".audit-journal.jsonl"); // a killed audit resumes from it with the same command
        try (ZooModel m = common.modelLoader().load(model)) {
            result = new Audit(cfg).run(m, defense, set, common.quiet, journal);
        }
        result.put("data", set.describe());
        result.put("run", RunInfo.describe());
        Files.createDirectories(out);
        Json.write(out.resolve("audit.json"), result);
        Map<String, Object> sw = (Map<String, Object>) result.get("sweep");
        Map<String, double[][]> series = new LinkedHashMap<>();
        double[] xs = (double[]) sw.get("eps_255");
        series.put("naive gradients", new double[][] {xs, accuracyFromSuccess((double[]) sw.get("naive_success"), result)});
        series.put("adaptive (BPDA+EoT)", new double[][] {xs, accuracyFromSuccess((double[]) sw.get("adaptive_success"), result)});
        Charts.lines(out.resolve("audit.png"), "PGD accuracy vs eps: " + result.get("model") + " + " + result.get("defense"),
                "eps (/255)", "accuracy under PGD (%)", series);
        Files.deleteIfExists(journal); // audit.json now holds everything
        print(result);
        return 0;
    }

    private static double[] accuracyFromSuccess(double[] success, Map<String, Object> r) {
        double[] a = new double[success.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = 100 - success[i];
        }
        return a;
    }

    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> r) {
        System.out.printf("audit of %s behind %s on %d images, %s%n", r.get("model"), r.get("defense"), r.get("images"), r.get("threat"));
        System.out.printf("clean accuracy %.1f%%, worst-case robust accuracy %.1f%%%n", r.get("clean_accuracy"), r.get("worst_case_robust_accuracy"));
        System.out.printf("%-14s %-11s %7s %10s%n", "attack", "gradients", "eps", "accuracy");
        for (Map<String, Object> a : (List<Map<String, Object>>) r.get("attacks")) {
            System.out.printf("%-14s %-11s %7s %9.1f%%%n", a.get("attack"), a.get("gradients"), a.get("eps_255"), a.get("robust_accuracy"));
        }
        System.out.println("symptoms of obfuscated gradients (Athalye et al. 2018):");
        for (Map<String, Object> s : (List<Map<String, Object>>) r.get("symptoms")) {
            System.out.printf("  (%s) %-72s %s  [%s]%n", s.get("symptom"), s.get("description"),
                    Boolean.TRUE.equals(s.get("flagged")) ? "FLAGGED" : "ok", s.get("evidence"));
        }
    }
}

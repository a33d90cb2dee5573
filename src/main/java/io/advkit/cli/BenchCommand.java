package io.advkit.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.AttackSettings;
import io.advkit.attack.Attacks;
import io.advkit.attack.GradientPipeline;
import io.advkit.attack.StepSize;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.PGD;
import io.advkit.attack.ThreatModel;
import io.advkit.bench.Benchmarks;
import io.advkit.model.ModelZoo;
import io.advkit.model.Normalization;
import io.advkit.model.ZooEntry;
import io.advkit.model.ZooModel;
import io.advkit.util.UserError;
import io.advkit.model.InputShape;
import io.advkit.model.ModelLoader;
import io.advkit.model.LoadedClassifier;
import io.advkit.train.TrainingMethods;
import io.advkit.util.Json;
import io.advkit.util.RunInfo;
import com.google.gson.annotations.SerializedName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Throughput of the engine on a zoo architecture: forward, and forward + gradient w.r.t. the input. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Images/s of forward and forward+input-gradient passes of a zoo architecture (random weights).")
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = {"-m", "--model"}, defaultValue = "resnet20_cifar10", description = "zoo model whose architecture to time (default ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--batch-size", defaultValue = "128", description = "images per pass (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seconds", defaultValue = "30", description = "time per variant, split over the rounds (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rounds", defaultValue = "5", description = "interleaved rounds; the median is reported (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--attack", description = "also time this attack's steps (e.g. pgd) in the same rounds")
    String attack;

    @Option(names = "--compare-attacks", split = ",", paramLabel = "NAME",
            description = "also time these attacks' steps in the same rounds, each against --attack's (e.g. mi-di-sgm,mi-di-si)")
    List<String> compareAttacks;

    @Option(names = "--steps", defaultValue = "20", description = "steps per timed attack call (default ${DEFAULT-VALUE})")
    int attackSteps;

    @Option(names = "--versus", paramLabel = "SPEC",
            description = "also time --attack on this model (e.g. torchscript:FILE of the same network) in the same rounds")
    String versus;

    @Option(names = "--unfolded", description = "also time forward and forward+input-gradient with BatchNorm not folded into the convolutions (what folding saves), in the same rounds")
    boolean unfolded;

    @Option(names = "--profile", paramLabel = "FILE", description = "after timing, run --profile-steps forward+input-gradient passes under the engine's profiler and write its trace (Chrome trace JSON; tools/profile_ops.py sums it per op)")
    Path profile;

    @Option(names = "--profile-steps", defaultValue = "5", description = "passes to profile (default: ${DEFAULT-VALUE})")
    int profileSteps;

    @Option(names = "--memory-steps", defaultValue = "0", description = "run PGD for this many steps on one batch and report resident memory")
    int memorySteps;

    @Option(names = "--defenses", split = ";", paramLabel = "SPEC", description = "time these preprocessing defenses per image against a forward pass, e.g. \"jpeg:75;slq;bitdepth:4\"")
    List<String> defenses;

    @Option(names = "--train-methods", split = ",", description = "time training batches of these methods against standard, e.g. standard,fgsm-rs,pgd")
    List<String> trainMethods;

    @Mixin
    TrainingOptions training;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
    Path json;

    /** An attack's step rate against the raw forward+input-gradient of the same model, measured in the same rounds. */
    record AttackTiming(String attack, int stepsPerCall, double stepImagesPerS, double stepOverRawGradient) {}

    /** Another attack's step rate on the same model and batch, against --attack's, in the same rounds. */
    record ComparedTiming(String attack, double stepImagesPerS, double stepOverAttackStep) {}

    /** The same attack's step rate on another model (a TorchScript export of the network), in the same rounds. */
    record VersusTiming(String model, double stepImagesPerS, double stepOverZooStep) {}

    /** A defense's preprocessing time per image, and as a multiple of the model's forward pass. */
    record DefenseCost(double msPerImage, double ratioToForward) {}

    record DefenseCosts(double forwardMsPerImage, Map<String, DefenseCost> defenses) {}

    /** A training method's batch rate, and its batch time as a multiple of standard training's. */
    record TrainingCost(double imagesPerS, double timeRatioToStandard) {}

    /** Resident memory sampled through one long PGD run, beside the committed Java heap at the same instants. */
    record Memory(int steps, boolean javaHeapPinned, @SerializedName("rss_kib_samples_every_500ms") List<Long> rssKibSamples,
                  List<Long> javaHeapCommittedKibSamples, long javaHeapCommittedGrowthKib, long rssAfterWarmupKib, long rssPeakKib,
                  long rssEndKib, double growthPercent) {}

    /** The same passes with BatchNorm run after each convolution instead of folded into it, and folding's speed-up. */
    record UnfoldedTiming(double forwardImagesPerS, double forwardBackwardInputGradImagesPerS, double foldedForwardSpeedup,
                          double foldedGradientSpeedup) {}

    /** bench's JSON. */
    record Result(String model, int batchSize, double forwardImagesPerS, double forwardBackwardInputGradImagesPerS, int rounds,
                  UnfoldedTiming unfolded, AttackTiming attack, List<ComparedTiming> compared, VersusTiming versus, Memory memory, DefenseCosts defenses, Map<String, TrainingCost> training, RunInfo run) {}

    @Override
    public Integer call() {
        common.apply();
        ZooEntry e = ModelZoo.get(model);
        Attack attackToTime = attack == null ? null : Attacks.build(attack, AttackSettings.DEFAULTS.withSteps(attackSteps));
        ThreatModel tm = new ThreatModel(Norm.LINF, training.eps / 255);
        if ((versus != null || compareAttacks != null) && attackToTime == null) {
            throw UserError.invalid(versus != null ? "versus" : "compare attacks", "this times an attack's steps against --attack's; give --attack too");
        }
        Map<String, Attack> compared = new LinkedHashMap<>();
        if (compareAttacks != null) {
            compareAttacks.forEach(a -> compared.put(a, Attacks.build(a, AttackSettings.DEFAULTS.withSteps(attackSteps))));
        }
        Result result;
        try (ZooModel m = ZooModel.create(e.name(), e.arch(), e.classes(), Normalization.named(e.normalization()), 0);
             LoadedClassifier other = versus == null ? null
                     : common.modelLoader(new ModelLoader.External(() -> new InputShape(3, 32, 32), null)).load(versus);
             NDManager root = NDManager.newBaseManager()) {
            m.net().setTrainable(false);
            NDArray x = root.randomUniform(0, 1, new Shape(batchSize, 3, 32, 32));
            NDArray y = root.randomInteger(0, e.classes(), new Shape(batchSize), ai.djl.ndarray.types.DataType.INT64);
            Map<String, Runnable> variants = new LinkedHashMap<>();
            variants.put("forward", () -> forward(m, x, root));
            variants.put("forward+input-gradient", () -> rawInputGradient(m, x, y, root));
            if (unfolded) {
                variants.put("unfolded-forward", () -> withoutFolding(() -> forward(m, x, root)));
                variants.put("unfolded-forward+input-gradient", () -> withoutFolding(() -> rawInputGradient(m, x, y, root)));
            }
            if (attackToTime != null) {
                // one call = attackSteps steps on the batch; counted as batch × steps image-steps
                variants.put("attack-step", () -> {
                    try (NDManager s = root.newSubManager()) {
                        attackToTime.run(AttackProblem.untargeted(m, x, y, Loss.CE, tm, new java.util.Random(0), s)).toFloatArray();
                    }
                });
            }
            compared.forEach((name, a) -> variants.put("compare:" + name, () -> {
                try (NDManager s = root.newSubManager()) {
                    a.run(AttackProblem.untargeted(m, x, y, Loss.CE, tm, new java.util.Random(0), s)).toFloatArray();
                }
            }));
            if (other != null) {
                variants.put("versus-attack-step", () -> {
                    try (NDManager s = root.newSubManager()) {
                        attackToTime.run(AttackProblem.untargeted(other, x, y.mod(other.numClasses()), Loss.CE, tm, new java.util.Random(0), s))
                                .toFloatArray();
                    }
                });
            }
            Map<String, Double> rates = Benchmarks.compare(batchSize, rounds, seconds / rounds, variants);
            if (profile != null) {
                rawInputGradient(m, x, y, root); // warm: the profile shows steady steps, not the primitives' creation
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                for (int i = 0; i < profileSteps; i++) {
                    rawInputGradient(m, x, y, root);
                }
                ai.djl.pytorch.jni.JniUtils.stopProfile(profile.toAbsolutePath().toString());
                System.out.printf("profile of %d forward+input-gradient passes: %s%n", profileSteps, profile);
            }
            double fwd = rates.get("forward");
            double grad = rates.get("forward+input-gradient");
            UnfoldedTiming unfoldedTiming = null;
            if (unfolded) {
                double uf = rates.get("unfolded-forward");
                double ug = rates.get("unfolded-forward+input-gradient");
                unfoldedTiming = new UnfoldedTiming(uf, ug, fwd / uf, grad / ug);
                System.out.printf("BatchNorm unfolded: forward %.1f img/s, forward+input-gradient %.1f img/s; folding is %.3f x / %.3f x as fast%n",
                        uf, ug, fwd / uf, grad / ug);
            }
            AttackTiming timing = null;
            if (attackToTime != null) {
                double steps = rates.get("attack-step") * attackSteps;
                timing = new AttackTiming(attackToTime.name(), attackSteps, steps, steps / grad);
                System.out.printf("%s step: %.1f img/s = %.3f x the raw forward+input-gradient%n", attack, steps, steps / grad);
            }
            List<ComparedTiming> comparedTimings = new java.util.ArrayList<>();
            for (String name : compared.keySet()) {
                double steps = rates.get("compare:" + name) * attackSteps;
                comparedTimings.add(new ComparedTiming(compared.get(name).name(), steps, steps / timing.stepImagesPerS()));
                System.out.printf("%s step: %.1f img/s = %.3f x %s's%n", name, steps, steps / timing.stepImagesPerS(), attack);
            }
            VersusTiming vs = null;
            if (other != null) {
                double steps = rates.get("versus-attack-step") * attackSteps;
                vs = new VersusTiming(other.name(), steps, steps / timing.stepImagesPerS());
                System.out.printf("%s on %s: %.1f img/s = %.3f x its step on %s%n", attack, other.name(), steps, vs.stepOverZooStep(), e.name());
            }
            result = new Result(e.name(), batchSize, fwd, grad, rounds, unfoldedTiming, timing, compared.isEmpty() ? null : comparedTimings, vs, memorySteps > 0 ? memory(m, x, y, tm, root) : null,
                    defenses != null ? defenseCosts(m, x, root) : null, trainMethods != null ? trainingCosts(e, tm, root) : null, RunInfo.now());
            System.out.printf("%s batch %d: forward %.1f img/s, forward+input-gradient %.1f img/s (median of %d interleaved rounds)%n",
                    e.name(), batchSize, fwd, grad, rounds);
        }
        if (json != null) {
            Json.write(json, result);
        }
        return 0;
    }

    private static void withoutFolding(Runnable r) {
        io.advkit.model.Layers.ConvBn.setFolding(false);
        try {
            r.run();
        } finally {
            io.advkit.model.Layers.ConvBn.setFolding(true);
        }
    }

    /** One forward pass of the batch, its activations freed at once. */
    private static void forward(ZooModel m, NDArray x, NDManager root) {
        try (NDManager s = root.newSubManager()) {
            NDArray xi = x.duplicate();
            xi.attach(s);
            m.logits(xi).toFloatArray();
        }
    }

    /** Preprocessing time per image of each defense, against the model's own forward pass per image, measured in the same rounds. */
    private DefenseCosts defenseCosts(ZooModel m, NDArray x, NDManager root) {
        Map<String, Runnable> variants = new LinkedHashMap<>();
        variants.put("forward", () -> forward(m, x, root));
        java.util.Random rng = new java.util.Random(0);
        for (String d : defenses) {
            List<io.advkit.defense.Preprocessor> steps = io.advkit.defense.Defenses.parseSteps(d);
            variants.put(d, () -> {
                try (NDManager s = root.newSubManager()) {
                    NDArray y = x.duplicate();
                    y.attach(s);
                    for (io.advkit.defense.Preprocessor p : steps) {
                        y = p.apply(y, rng);
                    }
                    y.toFloatArray();
                }
            });
        }
        Map<String, Double> rates = Benchmarks.compare(batchSize, rounds, seconds / rounds, variants);
        double fwdMs = 1000.0 / rates.get("forward");
        Map<String, DefenseCost> r = new LinkedHashMap<>();
        System.out.printf("%-22s %10s %14s%n", "preprocessing", "ms/image", "x forward pass");
        System.out.printf("%-22s %10.3f %14s%n", "(model forward)", fwdMs, "1.00");
        for (String d : defenses) {
            double ms = 1000.0 / rates.get(d);
            r.put(d, new DefenseCost(ms, ms / fwdMs));
            System.out.printf("%-22s %10.3f %14.2f%n", d, ms, ms / fwdMs);
        }
        return new DefenseCosts(fwdMs, r);
    }

    /**
     * Images/s of training batches of each method on random data, in interleaved rounds, and each one's time
     * per batch as a ratio to standard training (an epoch's ratio: every epoch has the same batches).
     */
    private Map<String, TrainingCost> trainingCosts(ZooEntry e, ThreatModel tm, NDManager root) {
        try (ZooModel model = ZooModel.create(e.name(), e.arch(), e.classes(), Normalization.named(e.normalization()), 0)) {
            model.net().setTrainable(true);
            io.advkit.train.Sgd sgd = io.advkit.train.Sgd.forModel(model, 0.9, 5e-4, false, root);
            NDArray x = root.randomUniform(0, 1, new Shape(batchSize, 3, 32, 32));
            NDArray y = root.randomInteger(0, e.classes(), new Shape(batchSize), ai.djl.ndarray.types.DataType.INT64);
            Map<String, Runnable> variants = new LinkedHashMap<>();
            for (String name : trainMethods) {
                io.advkit.train.TrainingMethod method = TrainingMethods.create(name, training.settings(tm.eps()));
                variants.put(name, () -> {
                    try (NDManager s = root.newSubManager()) {
                        // results follow their first operand's manager: with the batch in root they would pile up there
                        x.tempAttach(s);
                        y.tempAttach(s);
                        method.trainBatch(io.advkit.train.TrainContext.forBenchmark(model, sgd, 0.01, tm, s), x, y);
                    }
                });
            }
            Map<String, Double> rates = Benchmarks.compare(batchSize, rounds, seconds / rounds, variants);
            Map<String, TrainingCost> r = new LinkedHashMap<>();
            double base = rates.getOrDefault("standard", rates.values().iterator().next());
            System.out.printf("%-10s %12s %22s%n", "method", "images/s", "batch time vs standard");
            rates.forEach((k, v) -> {
                r.put(k, new TrainingCost(v, base / v));
                System.out.printf("%-10s %12.1f %22.2f%n", k, v, base / v);
            });
            return r;
        }
    }

    /**
     * Resident memory during one long PGD run on one batch: sampled every half second from another thread;
     * growth is measured from the sample at 10% of the run (after warm-up) to the last one.
     */
    private Memory memory(ZooModel m, NDArray x, NDArray y, ThreatModel tm, NDManager root) {
        java.util.List<Long> rss = new java.util.ArrayList<>();
        java.util.List<Long> heap = new java.util.ArrayList<>(); // committed Java heap, KiB, at the same instants
        var memoryBean = java.lang.management.ManagementFactory.getMemoryMXBean();
        Thread attackThread;
        RuntimeException[] failure = new RuntimeException[1];
        try (NDManager s = root.newSubManager()) {
            attackThread = new Thread(() -> {
                try {
                    new PGD(memorySteps, StepSize.ofEps(0.25), GradientPipeline.PLAIN)
                            .run(AttackProblem.untargeted(m, x, y, Loss.CE, tm, new java.util.Random(0), s));
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            });
            long start = System.nanoTime();
            attackThread.start();
            while (attackThread.isAlive()) {
                rss.add(residentKiB());
                heap.add(memoryBean.getHeapMemoryUsage().getCommitted() / 1024);
                try {
                    attackThread.join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (failure[0] != null) {
                throw failure[0];
            }
            System.out.printf("%d PGD steps in %.0f s%n", memorySteps, (System.nanoTime() - start) / 1e9);
        }
        int warm = rss.size() / 10;
        long base = rss.get(warm);
        long last = rss.get(rss.size() - 1);
        long peak = rss.stream().skip(warm).mapToLong(Long::longValue).max().orElse(last);
        double growth = 100.0 * (last - base) / base;
        long heapBase = heap.get(warm);
        long heapLast = heap.get(heap.size() - 1);
        System.out.printf("memory over %d PGD steps: RSS after warm-up %d MiB, peak %d MiB, at the end %d MiB, growth %.2f%%; "
                        + "committed Java heap %d -> %d MiB%n",
                memorySteps, base / 1024, peak / 1024, last / 1024, growth, heapBase / 1024, heapLast / 1024);
        boolean heapPinned = javaHeapPinned(memoryBean);
        if (!heapPinned) {
            // G1 touches its committed regions' pages gradually as it cycles through them, so an unpinned heap shows
            // up as RSS growth even at a constant committed size: it says nothing about native memory
            // (docs/BENCHMARKS.md: +23% over 2000 steps with the launcher's -Xmx6g, +0.2% with the heap pinned)
            System.out.println("note: the Java heap is not fixed and pre-touched (-Xms = -Xmx, -XX:+AlwaysPreTouch), "
                    + "so RSS growth includes heap pages first used during the run; for native memory alone run with ADVKIT_JAVA_OPTS=\"-Xms1g -Xmx1g -XX:+AlwaysPreTouch\"");
        }
        return new Memory(memorySteps, heapPinned, rss, heap, heapLast - heapBase, base, peak, last, growth);
    }

    /** True when the heap cannot grow and all of it is resident from the start (-Xms = -Xmx, -XX:+AlwaysPreTouch). */
    private static boolean javaHeapPinned(java.lang.management.MemoryMXBean memoryBean) {
        var heap = memoryBean.getHeapMemoryUsage();
        boolean preTouch = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch");
        return preTouch && heap.getMax() == heap.getCommitted();
    }

    private static long residentKiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            throw new io.advkit.util.UserError("cannot read /proc/self/status for the memory measurement: " + io.advkit.util.Errors.describe(e));
        }
        throw new io.advkit.util.UserError("no VmRSS in /proc/self/status");
    }

    /** The baseline an attack step is compared with: one forward, cross-entropy (y: INT64 labels), backward to the input. */
    static void rawInputGradient(ZooModel m, NDArray x, NDArray y, NDManager root) {
        try (NDManager s = root.newSubManager()) {
            y.tempAttach(s); // what is computed from the labels is freed with s, not left in their long-lived manager
            NDArray xi = x.duplicate();
            xi.attach(s);
            xi.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = m.logits(xi);
                NDArray loss = logits.logSoftmax(1).gather(y.expandDims(1), 1).neg().sum();
                gc.backward(loss);
            }
            xi.getGradient().toFloatArray();
        }
    }
}

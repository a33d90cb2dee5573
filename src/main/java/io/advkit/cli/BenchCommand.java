package io.advkit.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advkit.attack.Attack;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.AttackSpec;
import io.advkit.attack.Loss;
import io.advkit.attack.Norm;
import io.advkit.attack.PGD;
import io.advkit.attack.ThreatModel;
import io.advkit.bench.Benchmarks;
import io.advkit.model.ModelZoo;
import io.advkit.model.Normalization;
import io.advkit.model.ZooEntry;
import io.advkit.model.ZooModel;
import io.advkit.util.Json;
import io.advkit.util.RunInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
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

    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;

    @Option(names = "--seconds", defaultValue = "30", description = "time per variant, split over the rounds (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rounds", defaultValue = "5", description = "interleaved rounds; the median is reported (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--attack", description = "also time this attack's steps (e.g. pgd) in the same rounds")
    String attack;

    @Option(names = "--attack-steps", defaultValue = "20", description = "steps per timed attack call (default ${DEFAULT-VALUE})")
    int attackSteps;

    @Option(names = "--memory-steps", defaultValue = "0", description = "run PGD for this many steps on one batch and report resident memory")
    int memorySteps;

    @Option(names = "--json", paramLabel = "FILE")
    Path json;

    @Override
    public Integer call() {
        common.apply();
        ZooEntry e = ModelZoo.get(model);
        Map<String, Object> out = new LinkedHashMap<>();
        try (ZooModel m = ZooModel.create(e.name(), e.arch(), e.classes(), Normalization.named(e.normalization()), 0);
             NDManager root = NDManager.newBaseManager()) {
            m.net().setTrainable(false);
            NDArray x = root.randomUniform(0, 1, new Shape(batchSize, 3, 32, 32));
            NDArray y = root.randomInteger(0, e.classes(), new Shape(batchSize), ai.djl.ndarray.types.DataType.INT32);
            Map<String, Runnable> variants = new LinkedHashMap<>();
            variants.put("forward", () -> {
                try (NDManager s = root.newSubManager()) {
                    NDArray xi = x.duplicate();
                    xi.attach(s);
                    m.logits(xi).toFloatArray();
                }
            });
            variants.put("forward+input-gradient", () -> rawInputGradient(m, x, y, root));
            ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
            NDArray y64 = y.toType(ai.djl.ndarray.types.DataType.INT64, false);
            if (attack != null) {
                AttackSpec spec = new AttackSpec();
                spec.steps = attackSteps;
                Attack a = spec.build(attack, tm);
                // one call = attackSteps steps on the batch; counted as batch × steps image-steps
                variants.put("attack-step", () -> {
                    try (NDManager s = root.newSubManager()) {
                        a.run(new AttackProblem(m, x, y64, y64, false, Loss.CE, tm, new java.util.Random(0), s)).toFloatArray();
                    }
                });
            }
            Map<String, Double> rates = Benchmarks.compare(batchSize, rounds, seconds / rounds, variants);
            double fwd = rates.get("forward");
            double grad = rates.get("forward+input-gradient");
            if (attack != null) {
                double steps = rates.get("attack-step") * attackSteps;
                out.put("attack", attack);
                out.put("attack_steps_per_call", attackSteps);
                out.put("attack_step_images_per_s", steps);
                out.put("attack_step_over_raw_gradient", steps / grad);
                System.out.printf("%s step: %.1f img/s = %.3f x the raw forward+input-gradient%n", attack, steps, steps / grad);
            }
            if (memorySteps > 0) {
                out.put("memory", memory(m, x, y64, tm, root));
            }
            out.put("model", e.name());
            out.put("batch_size", batchSize);
            out.put("forward_images_per_s", fwd);
            out.put("forward_backward_input_grad_images_per_s", grad);
            out.put("rounds", rounds);
            System.out.printf("%s batch %d: forward %.1f img/s, forward+input-gradient %.1f img/s (median of %d interleaved rounds)%n",
                    e.name(), batchSize, fwd, grad, rounds);
        }
        out.put("run", RunInfo.describe());
        if (json != null) {
            Json.write(json, out);
        }
        return 0;
    }

    /**
     * Resident memory during one long PGD run on one batch: sampled every half second from another thread;
     * growth is measured from the sample at 10% of the run (after warm-up) to the last one.
     */
    private Map<String, Object> memory(ZooModel m, NDArray x, NDArray y, ThreatModel tm, NDManager root) {
        java.util.List<Long> rss = new java.util.ArrayList<>();
        Thread attackThread;
        RuntimeException[] failure = new RuntimeException[1];
        try (NDManager s = root.newSubManager()) {
            attackThread = new Thread(() -> {
                try {
                    new PGD(memorySteps, tm.eps() / 4, 1).run(new AttackProblem(m, x, y, y, false, Loss.CE, tm, new java.util.Random(0), s));
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            });
            long start = System.nanoTime();
            attackThread.start();
            while (attackThread.isAlive()) {
                rss.add(residentKiB());
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
        System.out.printf("memory over %d PGD steps: RSS after warm-up %d MiB, peak %d MiB, at the end %d MiB, growth %.2f%%%n",
                memorySteps, base / 1024, peak / 1024, last / 1024, growth);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("steps", memorySteps);
        r.put("rss_kib_samples_every_500ms", rss);
        r.put("rss_after_warmup_kib", base);
        r.put("rss_peak_kib", peak);
        r.put("rss_end_kib", last);
        r.put("growth_percent", growth);
        return r;
    }

    private static long residentKiB() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException e) {
            throw new io.advkit.util.UserError("cannot read /proc/self/status for the memory measurement: " + e.getMessage());
        }
        throw new io.advkit.util.UserError("no VmRSS in /proc/self/status");
    }

    /** The baseline an attack step is compared with: one forward, cross-entropy, backward to the input. */
    static void rawInputGradient(ZooModel m, NDArray x, NDArray y, NDManager root) {
        try (NDManager s = root.newSubManager()) {
            NDArray xi = x.duplicate();
            xi.attach(s);
            xi.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray logits = m.logits(xi);
                NDArray loss = logits.logSoftmax(1).gather(y.toType(ai.djl.ndarray.types.DataType.INT64, false).expandDims(1), 1).neg().sum();
                gc.backward(loss);
            }
            xi.getGradient().toFloatArray();
        }
    }
}

package io.advkit.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
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
            Map<String, Double> rates = Benchmarks.compare(batchSize, rounds, seconds / rounds, variants);
            double fwd = rates.get("forward");
            double grad = rates.get("forward+input-gradient");
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

package io.advkit.cli;

import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.model.ZooModel;
import io.advkit.util.Json;
import io.advkit.util.RunInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Accuracy of one or more models on an image set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Accuracy of models on an image set.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DefenseOptions defenseOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC",
            description = "zoo NAME, NAME=FILE, or ARCH:CLASSES:NORMALIZATION=FILE; repeat for several")
    List<String> models;

    @Option(names = "--batch-size", defaultValue = "128", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--json", paramLabel = "FILE", description = "write accuracies and per-image predictions as JSON")
    Path json;

    @Override
    public Integer call() {
        common.apply();
        ImageSet set = dataOptions.open();
        List<Evaluation> results = new ArrayList<>();
        for (String spec : models) {
            try (ZooModel m = common.modelLoader().load(spec)) {
                results.add(Evaluator.evaluate(defenseOptions.wrap(m), set, batchSize, common.quiet));
            }
        }
        System.out.printf("%-28s %8s %6s %9s%n", "model", "correct", "total", "accuracy");
        for (Evaluation e : results) {
            System.out.printf("%-28s %8d %6d %8.1f%%%n", e.model(), e.correct(), e.total(), e.accuracy());
        }
        if (json != null) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("kind", "eval");
            out.put("data", set.describe());
            out.put("run", RunInfo.describe());
            List<Map<String, Object>> ms = new ArrayList<>();
            for (Evaluation e : results) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("model", e.model());
                m.put("correct", e.correct());
                m.put("total", e.total());
                m.put("accuracy", e.accuracy());
                m.put("predictions", e.predictions());
                ms.add(m);
            }
            out.put("models", ms);
            Json.write(json, out);
        }
        return 0;
    }
}

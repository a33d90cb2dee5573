package io.advkit.cli;

import io.advkit.data.ImageSet;
import io.advkit.defense.DefenseSpec;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.model.LoadedClassifier;
import io.advkit.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Accuracy of one or more models on an image set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Accuracy of models on an image set.")
public final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DefenseOptions defenseOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC",
            description = "zoo NAME, NAME=FILE, ARCH:CLASSES:NORMALIZATION=FILE, FILE.advkit, lgv:DIR, torchscript:FILE or onnx:FILE (scores only); repeat for several")
    List<String> models;

    @Option(names = "--batch-size", defaultValue = "128", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--json", paramLabel = "FILE", description = "write accuracies and per-image predictions as JSON")
    Path json;

    @Override
    public Integer call() {
        common.apply();
        ImageSet set = dataOptions.open();
        DefenseSpec defense = defenseOptions.spec();
        List<Evaluation> results = new ArrayList<>();
        for (String spec : models) {
            try (LoadedClassifier m = external.loader(common, set).load(spec)) {
                results.add(Evaluator.evaluate(defense == null ? m : defense.wrap(m), set, batchSize, common.quiet));
            }
        }
        System.out.printf("%-28s %8s %6s %9s%n", "model", "correct", "total", "accuracy");
        for (Evaluation e : results) {
            System.out.printf("%-28s %8d %6d %8.1f%%%n", e.model(), e.correct(), e.total(), e.accuracy());
        }
        if (json != null) {
            Json.write(json, Evaluation.Result.of(set.describe(), results));
        }
        return 0;
    }
}

package io.advkit.cli;

import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageSet;
import io.advkit.defense.DefenseSpec;
import io.advkit.dist.ShardedJob;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.model.Classifier;
import io.advkit.model.LoadedClassifier;
import io.advkit.model.ModelLoader;
import io.advkit.util.Interruption;
import io.advkit.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Accuracy of one or more models on an image set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Accuracy of models on an image set.")
public final class EvalCommand implements Callable<Integer>, Shards.Sharded {
    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Mixin
    DataOptions dataOptions;

    @Mixin
    DefenseOptions defenseOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC",
            description = "zoo NAME, NAME=FILE, ARCH:CLASSES:NORMALIZATION=FILE, FILE.advkit, lgv:DIR or lgv:NAME (a collection), torchscript:FILE or onnx:FILE (scores only); repeat for several")
    List<String> models;

    @Option(names = "--batch-size", defaultValue = "128", description = "images per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--json", paramLabel = "FILE", description = "write accuracies and per-image predictions as JSON")
    Path json;

    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        ImageSet set = dataOptions.open();
        cluster.check(batchSize);
        DefenseSpec defense = defenseOptions.spec();
        List<Evaluation> results = new ArrayList<>();
        if (cluster.enabled()) {
            results = onCluster(set, defense);
        } else {
            for (String spec : models) {
                try (LoadedClassifier m = external.loader(common, set).load(spec)) {
                    results.add(Evaluator.evaluate(defense == null ? m : defense.wrap(m), set, batchSize, common.quiet));
                }
            }
        }
        String name = Columns.left(28, results.stream().map(Evaluation::model).toList());
        System.out.printf(name + " %8s %6s %9s%n", "model", "correct", "total", "accuracy");
        for (Evaluation e : results) {
            System.out.printf(name + " %8d %6d %8.1f%%%n", e.model(), e.correct(), e.total(), e.accuracy());
        }
        if (json != null) {
            Json.write(json, Evaluation.Result.of(set.describe(), results));
        }
        return 0;
    }

    /** One batch's predictions by every model (in the order of -m), as a cluster worker returns them. */
    record BatchRecord(int batch, List<List<Evaluation.Prediction>> predictions) {}

    /** The driver of a cluster run: models checked here, predicted on the cluster, gathered per model in image order. */
    private List<Evaluation> onCluster(ImageSet set, DefenseSpec defense) {
        List<String> names = new ArrayList<>();
        for (String s : models) {
            try (LoadedClassifier m = external.loader(common, set).load(s)) {
                Evaluator.check(m, set);
                names.add((defense == null ? m : defense.wrap(m)).name());
            }
        }
        int batches = new Batches(set, batchSize).count();
        List<List<Evaluation.Prediction>> perModel = new ArrayList<>();
        names.forEach(n -> perModel.add(new ArrayList<>()));
        for (String line : cluster.run(spec, null, batches, batchSize, common.quiet).records()) {
            BatchRecord r = Json.LINE.fromJson(line, BatchRecord.class);
            for (int i = 0; i < names.size(); i++) {
                perModel.get(i).addAll(r.predictions().get(i));
            }
        }
        List<Evaluation> results = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            results.add(new Evaluation(names.get(i), set.describe(), perModel.get(i)));
        }
        return results;
    }

    /** A worker's part: every model's predictions on batches [from, to); models loaded once per process. */
    @Override
    public ShardedJob shardedJob(Path scratch) {
        common.apply();
        ImageSet set = dataOptions.open();
        DefenseSpec defense = defenseOptions.spec();
        ModelLoader loader = external.loader(common, set);
        List<Classifier> loaded = new ArrayList<>();
        for (String s : models) {
            LoadedClassifier m = ModelCache.load(loader, s, spec.commandLine().getParseResult().originalArgs());
            loaded.add(defense == null ? m : defense.wrap(m));
        }
        Batches batches = new Batches(set, batchSize);
        return ShardedJob.ofBatches(batches.count(), (b, root) -> {
            Batch batch = batches.load(b);
            List<List<Evaluation.Prediction>> preds = new ArrayList<>();
            for (Classifier m : loaded) {
                preds.add(Evaluator.predictions(m, set, batch, b, root));
            }
            return Json.LINE.toJson(new BatchRecord(b, preds));
        });
    }
}

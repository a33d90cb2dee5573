package io.advkit.cli;

import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluator;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.Architectures;
import io.advkit.model.ModelCollection;
import io.advkit.model.LoadedClassifier;
import io.advkit.model.ModelLoader;
import io.advkit.model.ModelZoo;
import io.advkit.util.AtomicFiles;
import io.advkit.util.Json;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A transfer study nobody can tune to one victim: each family of the given models in turn is held out, the others
 * attack as an ensemble (with the same `advkit attack` options, resumable per family), and the held-out models are
 * evaluated on the saved images. The table is the accuracy of every model on examples made without its family.
 */
final class LeaveOneFamilyOut {
    /** One held-out model's accuracies. */
    record Row(String family, String model, double clean, double adversarial, List<String> surrogates) {}

    record Result(String kind, String data, int images, String attack, List<Row> rows, RunInfo run) {}

    private LeaveOneFamilyOut() {}

    /**
     * The family of a model spec: the architecture family of a zoo model, an ARCH:... spec, a .advkit file or an LGV
     * collection (its members'); else the spec itself (a TorchScript or ONNX model is its own family).
     */
    static String family(String spec) {
        String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
        if (ModelZoo.contains(name)) {
            return Architectures.family(ModelZoo.get(name).arch());
        }
        if (name.matches("[a-z0-9_]+:\\d+:.*")) {
            return Architectures.family(name.substring(0, name.indexOf(':')));
        }
        if (AdvkitModelFile.isAdvkitFile(spec) && java.nio.file.Files.isRegularFile(io.advkit.util.StoragePaths.parse(spec))) {
            return Architectures.family(AdvkitModelFile.archOf(io.advkit.util.StoragePaths.parse(spec)));
        }
        if (spec.startsWith("lgv:")) {
            return Architectures.family(ModelCollection.archOf(io.advkit.util.StoragePaths.parse(spec.substring(4))));
        }
        return name;
    }

    /**
     * @param surrogatesOnly models that attack whenever their family is not held out but are never scored as victims
     *                       (an LGV collection: a surrogate set, not a model anyone deploys)
     */
    static Result run(List<String> models, List<String> surrogatesOnly, Path data, ImageSet set, String attackArgs, List<String> passThrough,
                      Path out, ModelLoader loader, int batchSize, boolean quiet) {
        Map<String, List<String>> byFamily = new TreeMap<>();
        models.forEach(m -> byFamily.computeIfAbsent(family(m), f -> new ArrayList<>()).add(m));
        if (byFamily.size() < 2) {
            throw UserError.invalid("model", "a leave-one-family-out study needs models of at least two families; got "
                    + byFamily.keySet() + " from " + models);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : byFamily.entrySet()) {
            List<String> surrogates = new ArrayList<>(models.stream().filter(m -> !e.getValue().contains(m)).toList());
            surrogatesOnly.stream().filter(m -> !family(m).equals(e.getKey())).forEach(surrogates::add);
            Path dir = out.resolve("without-" + e.getKey());
            List<String> args = new ArrayList<>(List.of("attack", "-q", "--data", data.toString(), "--out", dir.toString()));
            surrogates.forEach(s -> args.addAll(List.of("-s", s)));
            args.addAll(passThrough);
            args.addAll(Arrays.asList(attackArgs.trim().split("\\s+")));
            if (!quiet) {
                System.err.println("advkit: holding out " + e.getKey() + ": attacking with " + surrogates);
            }
            int rc = Main.run(args.toArray(String[]::new));
            if (rc != 0) {
                throw new UserError("the attack holding out " + e.getKey() + " failed (exit " + rc + "); its output is in " + dir);
            }
            ImageSet adv = ImageFolder.open(dir, set.classNames());
            for (String victim : e.getValue()) {
                try (LoadedClassifier m = loader.load(victim)) {
                    rows.add(new Row(e.getKey(), m.name(), Evaluator.evaluate(m, set, batchSize, true).accuracy(),
                            Evaluator.evaluate(m, adv, batchSize, true).accuracy(), surrogates));
                }
            }
        }
        Result r = new Result("leave-one-family-out", set.describe(), set.size(), attackArgs, rows, RunInfo.now());
        StringBuilder md = new StringBuilder("| held-out family | model | clean (%) | on examples made without its family (%) |\n"
                + "|---|---|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format("| %s | %s | %.1f | %.1f |%n", row.family(), row.model(), row.clean(), row.adversarial()));
        }
        AtomicFiles.writeString(out.resolve("transfer.md"), md.toString());
        Json.write(out.resolve("transfer.json"), r);
        System.out.print(md);
        return r;
    }
}

package io.advkit.cli;

import io.advkit.attack.ThreatModel;
import io.advkit.data.ImageChecks;
import io.advkit.data.ImageSet;
import io.advkit.data.ImageSubset;
import io.advkit.eval.Landscape;
import io.advkit.model.LoadedClassifier;
import io.advkit.report.Charts;
import io.advkit.util.Interruption;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Madry et al.'s loss landscapes: PGD from many random starts per image, the histogram of the final losses. */
@Command(name = "landscape", mixinStandardHelpOptions = true,
        description = "PGD from many random starts in each image's eps-ball; writes the final losses per image (landscape-MODEL.json) "
                + "and their histograms (landscape.png): concentrated, and far higher for a standard model than for a robust one.")
public final class LandscapeCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Mixin
    DataOptions dataOptions;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "SPEC", description = "model (repeat to compare, e.g. a standard and a robust one)")
    List<String> models;

    @Option(names = "--restarts", defaultValue = "1000", description = "random starts per image (default ${DEFAULT-VALUE})")
    int restarts;

    @Option(names = "--steps", defaultValue = "20", description = "PGD steps from each start, step 2.5*eps/steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--eps", defaultValue = "8", description = "L-inf budget, 0..255 scale (default ${DEFAULT-VALUE})")
    String eps;

    @Option(names = "--batch-size", defaultValue = "250", description = "starts per batch (default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--seed", defaultValue = "0", description = "(default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes landscape-MODEL.json per model and landscape.png")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        if (restarts < 1 || steps < 1 || batchSize < 1) {
            throw new UserError("--restarts, --steps and --batch-size must be at least 1");
        }
        ThreatModel threat = ThreatModel.parse("linf", eps, 255);
        ImageSet all = dataOptions.open();
        // thousands of PGD runs per image: a handful of images unless the user chose how many
        ImageSet set = dataOptions.selection.limit == null && dataOptions.selection.subset == null ? ImageSubset.first(all, 5) : all;
        OutputFolders.requireApartFrom(dataOptions.data, out);
        for (String spec : models) { // a wrong model is reported before hours of work on the first
            external.loader(common, set).load(spec).close();
        }
        List<Landscape.Result> results = new ArrayList<>();
        for (String spec : models) {
            try (LoadedClassifier m = external.loader(common, set).load(spec)) {
                ImageChecks.requireLabelsBelow(set, m.numClasses(), m.name());
                Landscape.Result r = Landscape.run(m, set, threat, steps, restarts, batchSize, seed, common.quiet);
                Json.write(out.resolve("landscape-" + m.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".json"), r);
                results.add(r);
            }
        }
        Charts.lossHistograms(out.resolve("landscape.png"), results);
        String name = Columns.left(28, results.stream().map(r -> r.config().model()).toList());
        System.out.printf(name + " %-16s %9s %9s %9s %9s%n", "model", "image", "min", "median", "max", "fooled");
        for (Landscape.Result r : results) {
            for (Landscape.Image im : r.images()) {
                System.out.printf(name + " %-16s %9.3g %9.3g %9.3g %8.1f%%%n", r.config().model(), im.name(), im.min(), im.median(), im.max(), im.fooled());
            }
        }
        System.out.println("wrote " + out.resolve("landscape.png"));
        return 0;
    }
}

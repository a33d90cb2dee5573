package io.advkit.cli;

import io.advkit.model.Architectures;
import io.advkit.model.ModelZoo;
import io.advkit.model.WeightsResolver;
import io.advkit.model.ZooEntry;
import io.advkit.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Lists the model zoo. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the model zoo: name, classes, learnable parameters, source, and whether its weights are here (usable offline).")
public final class ModelsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the list as JSON")
    Path json;

    @Option(names = "--filter", paramLabel = "TEXT", description = "only names containing TEXT")
    String filter;

    @Option(names = "--offline", description = "only models whose weights are already here")
    boolean offlineOnly;

    /** One zoo entry as listed; {@code offline} says where its verified weights are, null when it needs a download. */
    record Row(String name, String arch, int classes, long params, String source, String url, String checksum, String reference,
               String offline) {}

    @Override
    public Integer call() {
        common.apply();
        WeightsResolver weights = common.weights();
        List<Row> rows = new ArrayList<>();
        String name = Columns.left(27, ModelZoo.all().stream().map(ZooEntry::name).toList());
        String arch = Columns.left(19, ModelZoo.all().stream().map(ZooEntry::arch).toList());
        System.out.printf(name + " " + arch + " %7s %12s  %-10s %-8s %s%n", "name", "architecture", "classes", "params", "source", "offline", "reference");
        for (ZooEntry e : ModelZoo.all()) {
            if (filter != null && !e.name().contains(filter)) {
                continue;
            }
            String offline = weights.offlineSource(e).orElse(null);
            if (offlineOnly && offline == null) {
                continue;
            }
            // counted from the architecture advkit builds, not copied from the registry
            long params = Architectures.create(e.arch(), e.classes()).learnableParameterCount();
            System.out.printf(name + " " + arch + " %7d %,12d  %-10s %-8s %s%n", e.name(), e.arch(), e.classes(), params, shortSource(e.source()),
                    offline == null ? "-" : "yes", e.reference());
            rows.add(new Row(e.name(), e.arch(), e.classes(), params, e.source(), e.url(), e.checksum(), e.reference(), offline));
        }
        if (json != null) {
            Json.write(json, rows);
        }
        return 0;
    }

    private static String shortSource(String s) {
        return s.contains("/") ? s.substring(0, s.indexOf('/')) : s;
    }
}

package io.advkit.cli;

import io.advkit.model.Architectures;
import io.advkit.model.ModelZoo;
import io.advkit.model.ZooEntry;
import io.advkit.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Lists the model zoo. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "List the model zoo: name, classes, learnable parameters, source.")
public final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--json", paramLabel = "FILE", description = "also write the list as JSON")
    Path json;

    @Option(names = "--filter", paramLabel = "TEXT", description = "only names containing TEXT")
    String filter;

    @Override
    public Integer call() {
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.printf("%-27s %-19s %7s %12s  %-10s %s%n", "name", "architecture", "classes", "params", "source", "reference");
        for (ZooEntry e : ModelZoo.all()) {
            if (filter != null && !e.name().contains(filter)) {
                continue;
            }
            // counted from the architecture advkit builds, not copied from the registry
            long params = Architectures.create(e.arch(), e.classes()).learnableParameterCount();
            System.out.printf("%-27s %-19s %7d %,12d  %-10s %s%n", e.name(), e.arch(), e.classes(), params, shortSource(e.source()), e.reference());
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("name", e.name());
            r.put("arch", e.arch());
            r.put("classes", e.classes());
            r.put("params", params);
            r.put("source", e.source());
            r.put("url", e.url());
            r.put("checksum", e.checksum());
            r.put("reference", e.reference());
            rows.add(r);
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

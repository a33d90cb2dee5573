package io.advkit.cli;

import com.google.gson.JsonObject;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluator;
import io.advkit.eval.TransferMatrix;
import io.advkit.model.ZooModel;
import io.advkit.report.Charts;
import io.advkit.util.Json;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** Victim accuracy on clean and adversarial folders: a transfer matrix as Markdown, JSON and a PNG heatmap. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Accuracy of victim models on adversarial folders written by 'advkit attack' (rows) and on the clean images.")
public final class TransferCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--clean", paramLabel = "DIR", description = "the clean images (first row)")
    Path clean;

    @Option(names = "--adv", required = true, paramLabel = "[LABEL=]DIR",
            description = "an output folder of advkit attack; repeat for each row (label defaults to its attack and surrogates)")
    List<String> adv;

    @Option(names = {"-v", "--victim"}, required = true, paramLabel = "SPEC", description = "victim model; repeat for each column")
    List<String> victims;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes transfer.md, transfer.json and transfer.png here")
    Path out;

    @Option(names = "--batch-size", defaultValue = "128", description = "(default ${DEFAULT-VALUE})")
    int batchSize;

    @Override
    public Integer call() throws java.io.IOException {
        common.apply();
        List<String> rows = new ArrayList<>();
        List<ImageSet> sets = new ArrayList<>();
        if (clean != null) {
            rows.add("clean");
            sets.add(ImageFolder.open(clean, List.of()));
        }
        for (String a : adv) {
            int eq = a.indexOf('=');
            Path dir = Path.of(eq < 0 ? a : a.substring(eq + 1));
            rows.add(eq < 0 ? label(dir) : a.substring(0, eq));
            sets.add(ImageFolder.open(dir, List.of()));
        }
        int n = sets.get(0).size();
        for (ImageSet s : sets) {
            if (s.size() != n) {
                throw new UserError(s.describe() + " has " + s.size() + " images, " + sets.get(0).describe() + " has " + n
                        + "; the rows of a matrix must hold the same images");
            }
        }
        double[][] acc = new double[rows.size()][victims.size()];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < victims.size(); c++) {
            try (ZooModel m = common.modelLoader().load(victims.get(c))) {
                names.add(m.name());
                for (int r = 0; r < sets.size(); r++) {
                    acc[r][c] = Evaluator.evaluate(m, sets.get(r), batchSize, common.quiet).accuracy();
                }
            }
        }
        TransferMatrix matrix = new TransferMatrix(rows, names, acc, n);
        Files.createDirectories(out);
        String md = matrix.toMarkdown();
        io.advkit.data.ImageCodec.writeAtomically(out.resolve("transfer.md"), md.getBytes(StandardCharsets.UTF_8));
        Json.write(out.resolve("transfer.json"), matrix.toJson());
        Charts.heatmap(out.resolve("transfer.png"), "Victim accuracy (%) on " + n + " images", rows, names, acc);
        System.out.print(md);
        return 0;
    }

    /** "mi-di-ti (10 steps) eps 8 from cifar100_resnet20+cifar100_resnet56", read from the folder's attack.json. */
    static String label(Path dir) {
        Path f = dir.resolve("attack.json");
        if (!Files.exists(f)) {
            return dir.getFileName().toString();
        }
        JsonObject cfg = Json.read(f).getAsJsonObject().getAsJsonObject("config");
        JsonObject attack = cfg.getAsJsonObject("attack");
        StringBuilder sb = new StringBuilder(attack.get("attack").getAsString());
        // what tells two runs of one attack apart: its steps and, for ensembles, how they were fused
        List<String> details = new ArrayList<>();
        if (attack.has("steps") && attack.get("steps").getAsInt() > 1) {
            details.add(attack.get("steps").getAsInt() + " steps");
        }
        if (attack.has("translation_invariance")) {
            details.add(attack.get("translation_invariance").getAsString().replaceAll("TI\\(kernel=(\\d+).*", "TI kernel $1"));
        }
        if (attack.has("samples")) {
            details.add(attack.get("samples").getAsInt() + " samples");
        }
        if (cfg.has("fusion") && cfg.getAsJsonArray("surrogates").size() > 1 && !cfg.get("fusion").getAsString().equals("loss")) {
            details.add(cfg.get("fusion").getAsString() + " fusion");
        }
        if (!details.isEmpty()) {
            sb.append(" (").append(String.join(", ", details)).append(")");
        }
        sb.append(" eps ").append(Math.round(cfg.get("eps_255").getAsDouble()));
        List<String> s = new ArrayList<>();
        cfg.getAsJsonArray("surrogates").forEach(e -> s.add(shortName(e.getAsString())));
        sb.append(" from ").append(String.join("+", s));
        return sb.toString();
    }

    private static String shortName(String spec) {
        int eq = spec.indexOf('=');
        return eq < 0 ? spec : spec.substring(0, eq);
    }
}

package io.advkit.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns result files (attack.json, audit.json, train.json, transfer.json, eval JSON) into one report:
 * report.md and report.html with tables, PNG plots (accuracy vs ε, transfer heatmaps, training curves)
 * and example grids of clean / adversarial / amplified-perturbation images.
 */
public final class ReportBuilder {
    private final Path out;
    private final Document doc = new Document("advkit report");
    private int figures;

    public ReportBuilder(Path out) {
        this.out = out;
    }

    /** The result files found under the given paths (a file, or a folder searched two levels down). */
    public static List<Path> resultFiles(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        for (Path in : inputs) {
            if (Files.isRegularFile(in)) {
                files.add(in);
            } else if (Files.isDirectory(in)) {
                try (Stream<Path> s = Files.walk(in, 3)) {
                    s.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new UserError(in + ": cannot list (" + e.getMessage() + ")");
                }
            } else {
                throw new UserError(in + ": no such file or folder");
            }
        }
        return files;
    }

    public Map<String, Integer> build(List<Path> inputs) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<Path> files = resultFiles(inputs);
        List<JsonObject> attacks = new ArrayList<>();
        List<Path> attackFiles = new ArrayList<>();
        for (Path f : files) {
            JsonElement e;
            try {
                e = Json.read(f);
            } catch (UserError err) {
                continue; // not JSON of ours
            }
            if (!e.isJsonObject() || !e.getAsJsonObject().has("kind")) {
                continue;
            }
            JsonObject o = e.getAsJsonObject();
            String kind = o.get("kind").getAsString();
            if (o.has("status") && !"complete".equals(o.get("status").getAsString())) {
                counts.merge("unfinished", 1, Integer::sum); // an interrupted job's manifest: nothing to report yet
                continue;
            }
            counts.merge(kind, 1, Integer::sum);
            switch (kind) {
                case "eval" -> eval(o, f);
                case "attack" -> {
                    attacks.add(o);
                    attackFiles.add(f);
                }
                case "audit" -> audit(o, f);
                case "train" -> train(o, f);
                case "transfer" -> transfer(o, f);
                default -> counts.merge("skipped", 1, Integer::sum);
            }
        }
        if (!attacks.isEmpty()) {
            attacks(attacks, attackFiles);
        }
        if (counts.isEmpty()) {
            throw new UserError("no advkit result files (attack.json, audit.json, train.json, transfer.json, eval --json) under " + inputs);
        }
        try {
            Files.createDirectories(out.resolve("img"));
        } catch (IOException e) {
            throw new UserError(out + ": cannot create (" + e.getMessage() + ")");
        }
        ImageCodec.writeAtomically(out.resolve("report.md"), doc.markdown().getBytes(StandardCharsets.UTF_8));
        ImageCodec.writeAtomically(out.resolve("report.html"), doc.html().getBytes(StandardCharsets.UTF_8));
        return counts;
    }

    private String figure(String stem) {
        return "img/" + (++figures) + "-" + stem.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }

    private static String pct(JsonElement e) {
        return e == null || e.isJsonNull() ? "–" : String.format("%.1f", e.getAsDouble());
    }

    private void eval(JsonObject o, Path f) {
        doc.heading(1, "Evaluation: " + o.get("data").getAsString());
        List<List<String>> rows = new ArrayList<>();
        for (JsonElement m : o.getAsJsonArray("models")) {
            JsonObject mo = m.getAsJsonObject();
            rows.add(List.of(mo.get("model").getAsString(), mo.get("correct").getAsString() + "/" + mo.get("total").getAsString(), pct(mo.get("accuracy"))));
        }
        doc.table(List.of("model", "correct", "accuracy (%)"), rows).paragraph("Source: `" + f + "`");
    }

    private void attacks(List<JsonObject> runs, List<Path> files) {
        doc.heading(1, "Attacks");
        List<List<String>> rows = new ArrayList<>();
        for (JsonObject o : runs) {
            JsonObject cfg = o.getAsJsonObject("config");
            JsonObject sum = o.getAsJsonObject("summary");
            List<String> surrogates = new ArrayList<>();
            cfg.getAsJsonArray("surrogates").forEach(s -> surrogates.add(s.getAsString().replaceAll("=.*", "")));
            StringBuilder acc = new StringBuilder();
            for (Map.Entry<String, JsonElement> e : sum.getAsJsonObject("accuracy").entrySet()) {
                JsonObject a = e.getValue().getAsJsonObject();
                acc.append(acc.length() == 0 ? "" : "; ").append(e.getKey()).append(' ').append(pct(a.get("clean"))).append(" → ").append(pct(a.get("adversarial")));
            }
            rows.add(List.of(cfg.getAsJsonObject("attack").get("attack").getAsString(), cfg.get("norm").getAsString() + " " + Math.round(cfg.get("eps_255").getAsDouble()) + "/255",
                    String.join(" + ", surrogates), acc.toString(), sum.get("max_linf").getAsString(), String.format("%.0f", o.get("seconds").getAsDouble())));
        }
        doc.table(List.of("attack", "budget", "surrogates", "surrogate accuracy clean → adversarial (%)", "max L∞ (/255)", "seconds"), rows);
        for (int i = 0; i < runs.size(); i++) {
            grid(runs.get(i), files.get(i).getParent());
        }
    }

    /** Examples of one attack run, if its clean images are still where attack.json says. */
    private void grid(JsonObject o, Path advDir) {
        JsonObject cfg = o.getAsJsonObject("config");
        Path cleanDir = Path.of(cfg.get("data").getAsString());
        JsonArray images = o.getAsJsonArray("images");
        if (!Files.isDirectory(cleanDir) || images == null || images.isEmpty()) {
            return;
        }
        List<Image> clean = new ArrayList<>();
        List<Image> adv = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int step = Math.max(1, images.size() / 8);
        for (int i = 0; i < images.size() && clean.size() < 8; i += step) {
            JsonObject r = images.get(i).getAsJsonObject();
            String name = r.get("name").getAsString();
            Path a = advDir.resolve(name);
            Path c = cleanDir.resolve(name);
            if (!Files.exists(a) || !Files.exists(c)) {
                continue;
            }
            clean.add(ImageCodec.read(c));
            adv.add(ImageCodec.read(a));
            captions.add(name + (Boolean.TRUE.equals(r.get("fooled").getAsBoolean()) ? " fooled" : ""));
        }
        if (clean.isEmpty()) {
            return;
        }
        String path = figure("examples-" + advDir.getFileName());
        ExampleGrid.write(out.resolve(path), clean, adv, captions, cfg.get("eps_255").getAsDouble());
        doc.picture(path, "Examples from " + advDir + ": clean, adversarial, and the perturbation amplified to the full range");
    }

    private void audit(JsonObject o, Path f) {
        doc.heading(1, "Audit: " + o.get("model").getAsString() + " behind " + o.get("defense").getAsString());
        doc.paragraph(String.format("%d images, %s. Clean accuracy %s%%, worst-case robust accuracy %s%% (an image counts only if every "
                        + "bounded attack failed on it). Source: `%s`", o.get("images").getAsInt(), o.get("threat").getAsString(),
                pct(o.get("clean_accuracy")), pct(o.get("worst_case_robust_accuracy")), f));
        List<List<String>> rows = new ArrayList<>();
        for (JsonElement a : o.getAsJsonArray("attacks")) {
            JsonObject ao = a.getAsJsonObject();
            rows.add(List.of(ao.get("attack").getAsString(), ao.get("gradients").getAsString(), String.format("%.0f", ao.get("eps_255").getAsDouble()),
                    pct(ao.get("robust_accuracy"))));
        }
        doc.table(List.of("attack", "gradients", "eps (/255)", "accuracy (%)"), rows);
        List<List<String>> sym = new ArrayList<>();
        for (JsonElement s : o.getAsJsonArray("symptoms")) {
            JsonObject so = s.getAsJsonObject();
            sym.add(List.of("(" + so.get("symptom").getAsInt() + ") " + so.get("description").getAsString(),
                    so.get("flagged").getAsBoolean() ? "FLAGGED" : "ok", so.get("evidence").getAsString()));
        }
        doc.heading(2, "Symptoms of obfuscated gradients (Athalye et al. 2018)").table(List.of("symptom", "verdict", "evidence"), sym);
        JsonObject sw = o.getAsJsonObject("sweep");
        double[] eps = Json.GSON.fromJson(sw.get("eps_255"), double[].class);
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("naive gradients", new double[][] {eps, complement(Json.GSON.fromJson(sw.get("naive_success"), double[].class))});
        series.put("adaptive (BPDA+EoT)", new double[][] {eps, complement(Json.GSON.fromJson(sw.get("adaptive_success"), double[].class))});
        String path = figure("audit-" + o.get("defense").getAsString());
        Charts.lines(out.resolve(path), "Accuracy under PGD vs eps", "eps (/255)", "accuracy (%)", series);
        doc.picture(path, "Distortion vs accuracy: " + o.get("model").getAsString() + " behind " + o.get("defense").getAsString());
    }

    private static double[] complement(double[] success) {
        double[] a = new double[success.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = 100 - success[i];
        }
        return a;
    }

    private void train(JsonObject o, Path f) {
        JsonObject cfg = o.getAsJsonObject("config");
        String name = cfg.get("name").getAsString();
        doc.heading(1, "Training: " + name);
        doc.paragraph(String.format("%s, method `%s`, %d epochs run in %.0f s, final held-out accuracy %s%%. Source: `%s`",
                cfg.get("arch").getAsString(), cfg.getAsJsonObject("method").get("method").getAsString(), o.get("epochs_run").getAsInt(),
                o.get("seconds").getAsDouble(), pct(o.get("final_val_acc")), f));
        JsonArray h = o.getAsJsonArray("history");
        double[] ep = new double[h.size()];
        double[] tr = new double[h.size()];
        double[] va = new double[h.size()];
        double[] pgd = new double[h.size()];
        boolean hasPgd = false;
        for (int i = 0; i < h.size(); i++) {
            JsonObject r = h.get(i).getAsJsonObject();
            ep[i] = r.get("epoch").getAsDouble();
            tr[i] = r.get("train_acc").getAsDouble();
            va[i] = r.get("val_acc").getAsDouble();
            if (r.has("train_subset_pgd_acc")) {
                hasPgd = true;
                pgd[i] = r.get("train_subset_pgd_acc").getAsDouble();
            }
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train accuracy (on the inputs trained on)", new double[][] {ep, tr});
        series.put("held-out accuracy", new double[][] {ep, va});
        if (hasPgd) {
            series.put("PGD accuracy, training subset", new double[][] {ep, pgd});
        }
        String path = figure("train-" + name);
        Charts.lines(out.resolve(path), "Training curves: " + name, "epoch", "accuracy (%)", series);
        doc.picture(path, "Training curves of " + name);
    }

    private void transfer(JsonObject o, Path f) {
        doc.heading(1, "Transfer matrix (" + o.get("images").getAsInt() + " images)");
        List<String> victims = new ArrayList<>();
        o.getAsJsonArray("victims").forEach(v -> victims.add(v.getAsString()));
        List<String> header = new ArrayList<>(List.of("images \\ victim accuracy (%)"));
        header.addAll(victims);
        List<List<String>> rows = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        JsonArray rs = o.getAsJsonArray("rows");
        double[][] values = new double[rs.size()][victims.size()];
        for (int r = 0; r < rs.size(); r++) {
            JsonObject row = rs.get(r).getAsJsonObject();
            List<String> cells = new ArrayList<>(List.of(row.get("row").getAsString()));
            rowNames.add(row.get("row").getAsString());
            for (int c = 0; c < victims.size(); c++) {
                values[r][c] = row.getAsJsonObject("accuracy").get(victims.get(c)).getAsDouble();
                cells.add(String.format("%.1f", values[r][c]));
            }
            rows.add(cells);
        }
        doc.table(header, rows).paragraph("Source: `" + f + "`");
        String path = figure("transfer");
        Charts.heatmap(out.resolve(path), "Victim accuracy (%)", rowNames, victims, values);
        doc.picture(path, "Transfer heatmap: lower is a stronger attack");
    }
}

package io.advkit.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.advkit.attack.AttackJob;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.eval.Audit;
import io.advkit.eval.Cascade;
import io.advkit.eval.Evaluation;
import io.advkit.eval.FamilyStudy;
import io.advkit.eval.Symptoms;
import io.advkit.eval.TransferMatrix;
import io.advkit.train.Trainer;
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
                    throw new UserError(in + ": cannot list (" + io.advkit.util.Errors.describe(e) + ")");
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
        List<AttackJob.Manifest> attacks = new ArrayList<>();
        List<Path> attackFiles = new ArrayList<>();
        List<io.advkit.eval.Landscape.Result> landscapes = new ArrayList<>();
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
                    attacks.add(Json.GSON.fromJson(o, AttackJob.Manifest.class));
                    attackFiles.add(f);
                }
                case "audit" -> audit(o, f);
                case "train" -> { // a generator's run written before it had a kind of its own
                    if (o.getAsJsonObject("config").has("generator")) {
                        generator(o, f);
                    } else {
                        train(o, f);
                    }
                }
                case "wgan-gp" -> generator(o, f);
                case "transfer" -> transfer(o, f);
                case FamilyStudy.KIND -> familyStudy(o, f);
                case "evaluate" -> evaluate(o, f);
                case "linear" -> linear(o, f);
                case "landscape" -> landscapes.add(landscape(o, f));
                default -> counts.merge("skipped", 1, Integer::sum);
            }
        }
        if (!attacks.isEmpty()) {
            attacks(attacks, attackFiles);
        }
        if (landscapes.size() > 1) { // Madry et al.'s comparison needs one axis: a natural model's losses are far higher
            doc.heading(1, "Loss landscapes compared");
            String path = figure("landscapes");
            Charts.lossHistograms(out.resolve(path), landscapes);
            doc.picture(path, "Final PGD losses from random starts, every model and image on one axis");
        }
        if (counts.isEmpty()) {
            throw new UserError("no advkit result files (attack.json, audit.json, train.json, transfer.json, evaluate.json, linear.json, landscape-*.json, or the JSON of eval) under " + inputs);
        }
        try {
            Files.createDirectories(out.resolve("img"));
        } catch (IOException e) {
            throw new UserError(out + ": cannot create (" + io.advkit.util.Errors.describe(e) + ")");
        }
        io.advkit.util.AtomicFiles.write(out.resolve("report.md"), doc.markdown().getBytes(StandardCharsets.UTF_8));
        io.advkit.util.AtomicFiles.write(out.resolve("report.html"), doc.html().getBytes(StandardCharsets.UTF_8));
        return counts;
    }

    private String figure(String stem) {
        return "img/" + (++figures) + "-" + stem.replaceAll("[^A-Za-z0-9._-]", "_") + ".png";
    }

    private static String pct(Double v) {
        return v == null ? "–" : String.format("%.1f", v);
    }

    private void eval(JsonObject o, Path f) {
        Evaluation.Result r = Json.GSON.fromJson(o, Evaluation.Result.class);
        doc.heading(1, "Evaluation: " + r.data());
        List<List<String>> rows = new ArrayList<>();
        for (Evaluation.ModelResult m : r.models()) {
            rows.add(List.of(m.model(), m.correct() + "/" + m.total(), pct(m.accuracy())));
        }
        doc.table(List.of("model", "correct", "accuracy (%)"), rows).paragraph("Source: `" + f + "`");
    }

    private void attacks(List<AttackJob.Manifest> runs, List<Path> files) {
        doc.heading(1, "Attacks");
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> victimRows = new ArrayList<>();
        for (AttackJob.Manifest o : runs) {
            AttackJob.Config cfg = o.config();
            List<String> surrogates = cfg.surrogates().stream().map(s -> s.replaceAll("=.*", "")).toList();
            StringBuilder acc = new StringBuilder();
            o.summary().accuracy().forEach((model, a) ->
                    acc.append(acc.length() == 0 ? "" : "; ").append(model).append(' ').append(pct(a.clean())).append(" → ").append(pct(a.adversarial())));
            String attack = cfg.attack().string("attack");
            rows.add(List.of(attack, cfg.norm() + " " + Math.round(cfg.eps255()) + "/255", String.join(" + ", surrogates), acc.toString(),
                    Integer.toString(o.summary().maxLinf()), String.format("%.0f", o.seconds())));
            if (o.victims() != null) {
                for (AttackJob.VictimAccuracy v : o.victims()) {
                    victimRows.add(List.of(attack + " from " + String.join(" + ", surrogates), v.model(), pct(v.accuracy())));
                }
            }
        }
        doc.table(List.of("attack", "budget", "surrogates", "surrogate accuracy clean → adversarial (%)", "max L∞ (/255)", "seconds"), rows);
        if (!victimRows.isEmpty()) {
            doc.heading(2, "Victims on the saved images").table(List.of("attack", "victim", "accuracy (%)"), victimRows);
        }
        for (int i = 0; i < runs.size(); i++) {
            grid(runs.get(i), files.get(i).getParent());
        }
    }

    /** Examples of one attack run, if its clean images are still where attack.json says. */
    private void grid(AttackJob.Manifest o, Path advDir) {
        Path cleanDir = Path.of(o.config().data().replaceFirst(" \\(.*\\)$", "")); // without a selection's note
        List<AttackJob.ImageRecord> images = o.images();
        if (!Files.isDirectory(cleanDir) || images == null || images.isEmpty()) {
            return;
        }
        List<Image> clean = new ArrayList<>();
        List<Image> adv = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int step = Math.max(1, images.size() / 8);
        for (int i = 0; i < images.size() && clean.size() < 8; i += step) {
            AttackJob.ImageRecord r = images.get(i);
            String name = r.name();
            Path a = advDir.resolve(name);
            Path c = cleanDir.resolve(name);
            if (!Files.exists(a) || !Files.exists(c)) {
                continue;
            }
            clean.add(ImageCodec.read(c));
            adv.add(ImageCodec.read(a));
            captions.add(name + (r.fooled() ? " fooled" : ""));
        }
        if (clean.isEmpty()) {
            return;
        }
        String path = figure("examples-" + advDir.getFileName());
        ExampleGrid.write(out.resolve(path), clean, adv, captions, o.config().eps255());
        doc.picture(path, "Examples from " + advDir + ": clean, adversarial, and the perturbation amplified to the full range");
    }

    private void audit(JsonObject json, Path f) {
        Audit.Result o = Json.GSON.fromJson(json, Audit.Result.class);
        doc.heading(1, "Audit: " + o.model() + " behind " + o.defense());
        doc.paragraph(String.format("%d images, %s. Clean accuracy %s%%, worst-case robust accuracy %s%% (an image counts only if every "
                        + "bounded attack failed on it). Source: `%s`", o.images(), o.threat(), pct(o.cleanAccuracy()),
                pct(o.worstCaseRobustAccuracy()), f));
        List<List<String>> rows = new ArrayList<>();
        for (Audit.Row a : o.attacks()) {
            rows.add(List.of(a.attack(), a.gradients(), String.format("%.0f", a.eps255()), pct(a.robustAccuracy())));
        }
        doc.table(List.of("attack", "gradients", "eps (/255)", "accuracy (%)"), rows);
        List<List<String>> sym = new ArrayList<>();
        for (Symptoms.Check c : o.symptoms()) {
            sym.add(List.of("(" + c.symptom() + ") " + c.description(), c.flagged() ? "FLAGGED" : "ok", c.evidence()));
        }
        doc.heading(2, "Symptoms of obfuscated gradients (Athalye et al. 2018)").table(List.of("symptom", "verdict", "evidence"), sym);
        if (o.sweep() == null || o.sweep().naiveAccuracy() == null) {
            return; // an audit.json from before the sweep's accuracies were recorded
        }
        String path = figure("audit-" + o.defense());
        Charts.lines(out.resolve(path), "Accuracy under PGD vs eps", "eps (/255)", "accuracy (%)", sweepSeries(o.sweep()));
        doc.picture(path, "Distortion vs accuracy: " + o.model() + " behind " + o.defense());
    }

    /** The audit's sweep as chart series: the numbers of its table's pgd-sweep rows, nothing recomputed. */
    public static Map<String, double[][]> sweepSeries(Audit.Sweep s) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("naive gradients", new double[][] {s.eps255(), s.naiveAccuracy()});
        series.put("adaptive (BPDA+EoT)", new double[][] {s.eps255(), s.adaptiveAccuracy()});
        return series;
    }

    private void train(JsonObject json, Path f) {
        Trainer.Summary o = Json.GSON.fromJson(json, Trainer.Summary.class);
        String name = o.config().name();
        doc.heading(1, "Training: " + name);
        doc.paragraph(String.format("%s, method `%s`, %d epochs run in %.0f s, final held-out accuracy %s%%. Source: `%s`",
                o.config().arch(), o.config().method().string("method"), o.epochsRun(), o.seconds(), pct(o.finalValAcc()), f));
        List<Trainer.EpochLog> h = o.history();
        double[] ep = new double[h.size()];
        double[] tr = new double[h.size()];
        double[] va = new double[h.size()];
        for (int i = 0; i < h.size(); i++) {
            ep[i] = h.get(i).epoch();
            tr[i] = h.get(i).trainAcc();
            va[i] = h.get(i).valAcc();
        }
        double[] pgd = measured(h, Trainer.EpochLog::trainSubsetPgdAcc);
        double[] valPgd = measured(h, Trainer.EpochLog::valPgdAcc);
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("train accuracy (on the inputs trained on)", new double[][] {ep, tr});
        series.put("held-out accuracy", new double[][] {ep, va});
        if (pgd != null) {
            series.put("PGD accuracy, training subset", new double[][] {ep, pgd});
        }
        if (valPgd != null) {
            series.put("PGD accuracy, held-out subset", new double[][] {ep, valPgd});
        }
        String path = figure("train-" + name);
        Charts.lines(out.resolve(path), "Training curves: " + name, "epoch", "accuracy (%)", series);
        doc.picture(path, "Training curves of " + name);
    }

    /** A per-epoch figure that only some runs log (0 for epochs without it), or null when no epoch has it. */
    private static double[] measured(List<Trainer.EpochLog> h, java.util.function.Function<Trainer.EpochLog, Double> field) {
        double[] out = new double[h.size()];
        boolean any = false;
        for (int i = 0; i < h.size(); i++) {
            Double v = field.apply(h.get(i));
            if (v != null) {
                any = true;
                out[i] = v;
            }
        }
        return any ? out : null;
    }

    private void evaluate(JsonObject json, Path f) {
        Cascade.Result o = Json.GSON.fromJson(json, Cascade.Result.class);
        Cascade.Config c = o.config();
        doc.heading(1, "Robustness evaluation: " + c.model());
        doc.paragraph(String.format("%s version, %s ε = %s, %d images. Clean accuracy %s%%, **robust accuracy %s%%** on the saved 8-bit "
                + "images (every success verified after rounding). Source: `%s`", c.version(), c.norm(), c.norm().equals("linf")
                ? Math.round(c.eps255()) + "/255" : String.valueOf(c.eps()), c.images(), pct(o.cleanAccuracy()), pct(o.robustAccuracy()), f));
        List<List<String>> rows = new ArrayList<>();
        for (Cascade.Stage s : o.stages()) {
            rows.add(List.of(s.attack(), Integer.toString(s.attacked()), Integer.toString(s.fooled()), pct(s.robustAccuracy()),
                    Integer.toString(s.lostToRounding()), Integer.toString(s.recovered()), String.format("%.0f", s.seconds())));
        }
        doc.table(List.of("attack", "attacked", "fooled", "robust after (%)", "lost to 8 bits", "recovered", "seconds"), rows);
        List<List<String>> flags = new ArrayList<>();
        for (Cascade.Check ch : o.checks()) {
            flags.add(List.of(ch.check(), ch.flagged() ? "FLAGGED" : "ok", ch.detail()));
        }
        doc.table(List.of("check", "verdict", "detail"), flags);
        if (o.minimalNorm() != null) {
            Cascade.Curve cv = o.minimalNorm();
            Map<String, double[][]> series = new LinkedHashMap<>();
            series.put(cv.attack() + " (minimal norm, float)", new double[][] {c.norm().equals("linf") ? cv.eps255() : cv.eps(), cv.accuracy()});
            String path = figure("evaluate-" + c.model());
            Charts.lines(out.resolve(path), "Accuracy vs eps: " + c.model(), c.norm().equals("linf") ? "eps (/255)" : "eps", "accuracy (%)", series);
            doc.picture(path, "Accuracy vs ε from each image's minimal perturbation (" + cv.attack() + ")");
        }
    }

    private io.advkit.eval.Landscape.Result landscape(JsonObject json, Path f) {
        io.advkit.eval.Landscape.Result r = Json.GSON.fromJson(json, io.advkit.eval.Landscape.Result.class);
        var c = r.config();
        doc.heading(1, "Loss landscape: " + c.model());
        doc.paragraph(String.format("PGD (%d steps) from %d uniformly random starts in each image's L∞ ball of ε = %s/255; the final "
                + "cross-entropy losses (Madry et al. 2018, Figure 1). Source: `%s`", c.steps(), c.restarts(), Math.round(c.eps255()), f));
        List<List<String>> rows = new ArrayList<>();
        for (var im : r.images()) {
            rows.add(List.of(im.name(), String.format("%.3g", im.min()), String.format("%.3g", im.median()), String.format("%.3g", im.max()),
                    String.format("%.3g", im.std()), pct(im.fooled())));
        }
        doc.table(List.of("image", "min loss", "median", "max", "std", "starts ending misclassified (%)"), rows);
        String path = figure("landscape-" + c.model());
        Charts.lossHistograms(out.resolve(path), List.of(r));
        doc.picture(path, "Histogram of final losses per image");
        return r;
    }

    private void linear(JsonObject json, Path f) {
        io.advkit.train.LinearLesson.Result r = Json.GSON.fromJson(json, io.advkit.train.LinearLesson.Result.class);
        doc.heading(1, "The linear lesson: " + r.classes().get(0) + " vs " + r.classes().get(1));
        doc.paragraph(String.format("Logistic regression on %d training images, trained standardly and on FGSM examples (ε = %.3f); "
                + "FGSM training of a linear model minimizes softplus(ε‖w‖₁ − y·f(x)), an L1 penalty inside the loss. Accuracy "
                + "on %d held-out images. Source: `%s`", r.trainImages(), r.eps(), r.testImages(), f));
        List<List<String>> rows = new ArrayList<>();
        for (var m : r.models()) {
            rows.add(List.of(m.training(), pct(m.clean()), pct(m.fgsm()), String.format("%.2f", m.l1()), pct(m.nearZero())));
        }
        doc.table(List.of("training", "clean (%)", "FGSM (%)", "‖w‖₁", "weights near 0 (%)"), rows);
        String path = figure("linear-weights");
        Charts.weightMaps(out.resolve(path), r);
        doc.picture(path, "Weights as images (red positive, blue negative): the FGSM-trained ones are sparse");
    }

    /** A WGAN-GP run: the critic's Wasserstein estimate and penalty over training, and its last samples. */
    private void generator(JsonObject json, Path f) {
        io.advkit.train.WganGp.Summary o = Json.GSON.fromJson(json, io.advkit.train.WganGp.Summary.class);
        var c = o.config();
        doc.heading(1, "Generator: " + c.name());
        var h = o.history();
        doc.paragraph(String.format("WGAN-GP, %d iterations (%d critic updates each, penalty λ = %s, batch %d) in %.0f s on %s; "
                + "latent %d, width %d, %d×%d×%d images; last Wasserstein estimate %.3f. For `--defense defense-gan:%s`. Source: `%s`",
                o.iterations(), c.criticIters(), c.gpWeight(), c.batchSize(), o.seconds(), c.data(), c.generator().latent(), c.generator().width(),
                c.generator().channels(), c.generator().size(), c.generator().size(), h.isEmpty() ? Double.NaN : h.get(h.size() - 1).wasserstein(),
                f.resolveSibling(io.advkit.train.WganGp.GENERATOR), f));
        double[] it = new double[h.size()];
        double[] w = new double[h.size()];
        double[] gp = new double[h.size()];
        for (int i = 0; i < h.size(); i++) {
            it[i] = h.get(i).iteration();
            w[i] = h.get(i).wasserstein();
            gp[i] = h.get(i).gradientPenalty();
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("Wasserstein estimate D(real) - D(fake)", new double[][] {it, w});
        series.put("gradient penalty", new double[][] {it, gp});
        String path = figure("wgan-" + c.name());
        Charts.lines(out.resolve(path), "WGAN-GP: " + c.name(), "iteration", "critic", series);
        doc.picture(path, "The critic's estimate of the Wasserstein distance falls as the generator improves");
        Path samples = f.resolveSibling("samples.png");
        if (java.nio.file.Files.exists(samples)) {
            String copy = figure("samples-" + c.name());
            try {
                java.nio.file.Files.createDirectories(out.resolve(copy).getParent());
                java.nio.file.Files.copy(samples, out.resolve(copy), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new UserError(samples + ": cannot copy into the report (" + io.advkit.util.Errors.describe(e) + ")");
            }
            doc.picture(copy, "Samples from 64 fixed codes at the last checkpoint");
        }
    }

    private void transfer(JsonObject json, Path f) {
        TransferMatrix.Result o = Json.GSON.fromJson(json, TransferMatrix.Result.class);
        doc.heading(1, "Transfer matrix (" + o.images() + " images)");
        List<String> header = new ArrayList<>(List.of("images \\ victim accuracy (%)"));
        header.addAll(o.victims());
        List<List<String>> rows = new ArrayList<>();
        List<String> rowNames = new ArrayList<>();
        double[][] values = new double[o.rows().size()][o.victims().size()];
        for (int r = 0; r < o.rows().size(); r++) {
            TransferMatrix.Row row = o.rows().get(r);
            List<String> cells = new ArrayList<>(List.of(row.row()));
            rowNames.add(row.row());
            for (int c = 0; c < o.victims().size(); c++) {
                values[r][c] = row.accuracy().get(o.victims().get(c));
                cells.add(String.format("%.1f", values[r][c]));
            }
            rows.add(cells);
        }
        doc.table(header, rows).paragraph("Source: `" + f + "`");
        String path = figure("transfer");
        Charts.heatmap(out.resolve(path), "Victim accuracy (%)", rowNames, o.victims(), values);
        doc.picture(path, "Transfer heatmap: lower is a stronger attack");
    }

    /** A leave-one-family-out study: its table, its worst held-out model, and the accuracies as a heatmap. */
    private void familyStudy(JsonObject json, Path f) {
        FamilyStudy o = Json.GSON.fromJson(json, FamilyStudy.class);
        doc.heading(1, "Leave-one-family-out transfer (" + o.images() + " images)");
        doc.paragraph("Each family held out in turn and attacked by the others' ensemble with `" + o.attack() + "`; every model "
                + "scored on the examples made without its family. **" + o.worst() + "**.");
        if (!o.complete()) {
            doc.paragraph("*" + o.progress() + ".*"); // written after each family: the study is still running, or was stopped
        }
        if (!o.scope().isEmpty()) {
            doc.paragraph("*" + o.scope() + ".*");
        }
        doc.table(o.header(), o.cells()).paragraph("Source: `" + f + "`");
        String path = figure("leave-one-family-out");
        List<String> rows = o.rows().stream().map(r -> r.family() + ": " + r.model()).toList();
        Charts.heatmap(out.resolve(path), "Held-out accuracy (%)", rows, o.chartColumns(), o.chartValues());
        doc.picture(path, "Accuracy of each held-out model on examples made without its family: lower is stronger transfer");
    }
}

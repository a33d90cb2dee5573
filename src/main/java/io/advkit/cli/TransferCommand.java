package io.advkit.cli;

import io.advkit.attack.AttackJob;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.dist.ShardedJob;
import io.advkit.eval.Evaluation;
import io.advkit.eval.Evaluator;
import io.advkit.eval.TransferMatrix;
import io.advkit.model.LoadedClassifier;
import io.advkit.report.Charts;
import io.advkit.util.AtomicFiles;
import io.advkit.util.Interruption;
import io.advkit.util.Json;
import io.advkit.util.OutputFolders;
import io.advkit.util.Params;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** Victim accuracy on clean and adversarial folders: a transfer matrix as Markdown, JSON and a PNG heatmap. */
@Command(name = "transfer", mixinStandardHelpOptions = true,
        description = "Accuracy of victim models on adversarial folders written by 'advkit attack' (rows) and on the clean images.")
public final class TransferCommand implements Callable<Integer>, Shards.Sharded {
    private static final Set<String> OWN = Set.of("transfer.png");

    @Mixin
    CommonOptions common;

    @Mixin
    ExternalModelOptions external;

    @Option(names = "--clean", paramLabel = "DIR", description = "the clean images (first row)")
    Path clean;

    @Option(names = "--adv", paramLabel = "[LABEL=]DIR",
            description = "an output folder of advkit attack; repeat for each row (label defaults to its attack and surrogates)")
    List<String> adv;

    @Option(names = {"-v", "--victim"}, paramLabel = "SPEC", description = "victim model; repeat for each column")
    List<String> victims;

    @Option(names = "--leave-one-family-out",
            description = "a study instead of a matrix: each family of the -m models in turn is held out, the others attack "
                    + "the --data images (with --attack-args), and the held-out models are evaluated on the result")
    boolean leaveOneFamilyOut;

    @Option(names = {"-m", "--model"}, paramLabel = "SPEC", description = "with --leave-one-family-out: the models; repeat")
    List<String> models;

    @Option(names = "--surrogate-only", paramLabel = "SPEC", description = "with --leave-one-family-out: a model that attacks whenever "
            + "its family is not held out but is not scored (e.g. lgv:DIR, a collection); repeat")
    List<String> surrogatesOnly = new ArrayList<>();

    @Option(names = "--victim-defense", paramLabel = "SPEC", description = "with --leave-one-family-out: also score every held-out "
            + "model behind this preprocessing (e.g. jpeg:75, bitdepth:5; the attack can anticipate it with --robust-to in "
            + "--attack-args); repeat")
    List<String> victimDefenses = new ArrayList<>();

    @Option(names = "--hold-out", paramLabel = "FAMILY", split = ",", description = "with --leave-one-family-out: hold out only "
            + "these families, in this order (e.g. the one that worries you, first); the others still attack (default: every "
            + "family in turn)")
    List<String> holdOut = new ArrayList<>();

    @Option(names = "--data", paramLabel = "PATH", description = "with --leave-one-family-out: the clean images")
    Path data;

    @Option(names = "--attack-args", paramLabel = "OPTIONS",
            defaultValue = "--attack cwa-di --steps 10 --fusion logits --eps 8",
            description = "with --leave-one-family-out: advkit attack's options for every held-out family (default: ${DEFAULT-VALUE})")
    String attackArgs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes transfer.md, transfer.json and transfer.png here")
    Path out;

    @Option(names = "--batch-size", defaultValue = "128", description = "(default ${DEFAULT-VALUE})")
    int batchSize;

    @Mixin
    SelectionOptions selection; // the same images in every row

    @Mixin
    ClusterOptions cluster;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        common.apply();
        Interruption.honour(); // its loops check at every step: a signal stops it there
        if (leaveOneFamilyOut) {
            return leaveOneFamilyOut();
        }
        if (!surrogatesOnly.isEmpty() || !victimDefenses.isEmpty() || !holdOut.isEmpty()) {
            throw new UserError("--surrogate-only, --victim-defense and --hold-out belong to a --leave-one-family-out study");
        }
        Matrix plan = matrix();
        List<String> rows = plan.rows();
        List<ImageSet> sets = plan.sets();
        int n = sets.get(0).size();
        double[][] acc = new double[rows.size()][victims.size()];
        List<String> names = new ArrayList<>();
        for (int c = 0; c < victims.size(); c++) {
            try (LoadedClassifier m = external.loader(common, sets.get(0)).load(victims.get(c))) {
                names.add(m.name());
                if (!cluster.enabled()) {
                    for (int r = 0; r < sets.size(); r++) {
                        acc[r][c] = Evaluator.evaluate(m, sets.get(r), batchSize, common.quiet).accuracy();
                    }
                } else {
                    sets.forEach(set -> Evaluator.check(m, set));
                }
            }
        }
        if (cluster.enabled()) {
            int[][] correct = new int[rows.size()][victims.size()];
            for (String line : cluster.run(spec, null, new Batches(sets.get(0), batchSize).count(), batchSize, common.quiet).records()) {
                int[][] batch = Json.LINE.fromJson(line, int[][].class);
                for (int r = 0; r < rows.size(); r++) {
                    for (int c = 0; c < victims.size(); c++) {
                        correct[r][c] += batch[r][c];
                    }
                }
            }
            for (int r = 0; r < rows.size(); r++) {
                for (int c = 0; c < victims.size(); c++) {
                    acc[r][c] = n == 0 ? 0 : 100.0 * correct[r][c] / n;
                }
            }
        }
        TransferMatrix matrix = new TransferMatrix(rows, names, acc, n);
        String md = matrix.toMarkdown();
        AtomicFiles.writeString(out.resolve("transfer.md"), md);
        Json.write(out.resolve("transfer.json"), matrix.result(RunInfo.now()));
        Charts.heatmap(out.resolve("transfer.png"), "Victim accuracy (%) on " + n + " images", rows, names, acc);
        System.out.print(md);
        return 0;
    }

    /** The rows of a matrix: the clean images (if given), then each adversarial folder, the same images in each. */
    private record Matrix(List<String> rows, List<ImageSet> sets) {}

    private Matrix matrix() {
        if (adv == null || victims == null) {
            throw new UserError("a transfer matrix needs --adv folders and -v victims (or --leave-one-family-out with -m models and --data)");
        }
        if (batchSize < 1) {
            throw new UserError("--batch-size must be at least 1, got " + batchSize);
        }
        cluster.check(batchSize);
        List<String> rows = new ArrayList<>();
        List<ImageSet> sets = new ArrayList<>();
        List<Path> inputs = new ArrayList<>();
        if (clean != null) {
            rows.add("clean");
            sets.add(ImageFolder.open(clean, List.of()));
            inputs.add(clean);
        }
        for (String a : adv) {
            int eq = a.indexOf('=');
            Path dir = io.advkit.util.StoragePaths.parse(eq < 0 ? a : a.substring(eq + 1));
            rows.add(eq < 0 ? label(dir) : a.substring(0, eq));
            sets.add(ImageFolder.open(dir, List.of()));
            inputs.add(dir);
        }
        for (Path in : inputs) {
            OutputFolders.requireApartFrom(in, out);
        }
        OutputFolders.requireNoForeignImages(out, OWN);
        sets.replaceAll(selection::select);
        int n = sets.get(0).size();
        for (ImageSet s : sets) {
            if (s.size() != n) {
                throw new UserError(s.describe() + " has " + s.size() + " images, " + sets.get(0).describe() + " has " + n
                        + "; the rows of a matrix must hold the same images");
            }
        }
        return new Matrix(rows, sets);
    }

    /**
     * A worker's part of a matrix on a cluster: for each batch of images, how many each victim gets right in each row
     * (a JSON int[row][victim]); victims loaded once per process.
     */
    @Override
    public ShardedJob shardedJob(Path scratch) {
        common.apply();
        Matrix plan = matrix(); // a study (--leave-one-family-out) never gets here: the driver refuses it with --spark
        List<LoadedClassifier> loaded = new ArrayList<>();
        for (String v : victims) {
            loaded.add(ModelCache.load(external.loader(common, plan.sets().get(0)), v, spec.commandLine().getParseResult().originalArgs()));
        }
        List<Batches> batches = plan.sets().stream().map(set -> new Batches(set, batchSize)).toList();
        return ShardedJob.ofBatches(batches.get(0).count(), (b, root) -> {
            int[][] correct = new int[plan.rows().size()][loaded.size()];
            for (int r = 0; r < plan.rows().size(); r++) {
                Batch batch = batches.get(r).load(b);
                for (int c = 0; c < loaded.size(); c++) {
                    for (Evaluation.Prediction p : Evaluator.predictions(loaded.get(c), plan.sets().get(r), batch, b, root)) {
                        correct[r][c] += p.correct() ? 1 : 0;
                    }
                }
            }
            return Json.LINE.toJson(correct);
        });
    }

    private int leaveOneFamilyOut() {
        if (cluster.enabled()) {
            throw new UserError("--leave-one-family-out runs its attacks in this process; leave out --spark (or run each attack with --spark)");
        }
        if (data == null || models == null || adv != null || victims != null || clean != null) {
            throw new UserError("--leave-one-family-out takes -m models and --data (and no --adv, -v or --clean)");
        }
        OutputFolders.requireApartFrom(data, out);
        ImageSet set = selection.select(io.advkit.data.Datasets.open(data, null, null));
        List<String> passThrough = new ArrayList<>();
        common.weightsDirs.forEach(d -> passThrough.addAll(List.of("--weights-dir", d.toString())));
        if (selection.limit != null) {
            passThrough.addAll(List.of("--limit", selection.limit.toString()));
        }
        if (selection.subset != null) {
            passThrough.addAll(List.of("--subset", selection.subset.toString(), "--subset-seed", Long.toString(selection.subsetSeed)));
        }
        LeaveOneFamilyOut.run(models, surrogatesOnly, victimDefenses, holdOut, data, set, attackArgs, passThrough, out, external.loader(common, set), batchSize, common.quiet);
        return 0;
    }

    /** "mi-di-ti (10 steps) eps 8 from cifar100_resnet20+cifar100_resnet56", read from the folder's attack.json. */
    static String label(Path dir) {
        Path f = dir.resolve(AttackJob.MANIFEST);
        if (!Files.exists(f)) {
            return dir.getFileName().toString();
        }
        AttackJob.Config cfg = Json.read(f, AttackJob.Manifest.class).config();
        Params attack = cfg.attack();
        StringBuilder sb = new StringBuilder(attack.string("attack"));
        // what tells two runs of one attack apart: its steps and, for ensembles, how they were fused
        List<String> details = new ArrayList<>();
        Double steps = attack.number("steps");
        if (steps == null) {
            steps = attack.number("n_iter");
        }
        if (steps != null && steps > 1) {
            details.add(Math.round(steps) + " steps");
        }
        if (attack.has("translation_invariance")) {
            details.add(attack.string("translation_invariance").replaceAll("TI\\(kernel=(\\d+).*", "TI kernel $1"));
        }
        if (attack.has("samples")) {
            details.add(Math.round(attack.number("samples")) + " samples");
        }
        if (cfg.fusion() != null && cfg.surrogates().size() > 1 && !cfg.fusion().equals("loss")) {
            details.add(cfg.fusion() + " fusion");
        }
        if (!details.isEmpty()) {
            sb.append(" (").append(String.join(", ", details)).append(")");
        }
        sb.append(" eps ").append(Math.round(cfg.eps255()));
        sb.append(" from ").append(String.join("+", cfg.surrogates().stream().map(s -> s.replaceAll("=.*", "")).toList()));
        return sb.toString();
    }
}

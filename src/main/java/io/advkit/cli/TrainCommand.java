package io.advkit.cli;

import io.advkit.attack.ThreatModel;
import io.advkit.data.Datasets;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageSet;
import io.advkit.model.Normalization;
import io.advkit.train.FastFgsmTraining;
import io.advkit.train.FgsmTraining;
import io.advkit.train.FreeTraining;
import io.advkit.train.GradientRegularization;
import io.advkit.train.LogitPairingTraining;
import io.advkit.train.MartTraining;
import io.advkit.train.PgdTraining;
import io.advkit.train.StandardTraining;
import io.advkit.train.Trainer;
import io.advkit.train.TradesTraining;
import io.advkit.train.TrainingMethod;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** Standard and adversarial training, resumable. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a CIFAR architecture, standardly or adversarially; checkpoints every epoch, resumable.")
public final class TrainCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    DataOptions dataOptions;

    @Option(names = "--val", paramLabel = "PATH", description = "held-out set evaluated each epoch (default: the data's test split)")
    Path val;

    @Option(names = "--val-limit", defaultValue = "10000", description = "evaluate on at most this many held-out images (default ${DEFAULT-VALUE})")
    int valLimit;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "ARCH", description = "architecture, e.g. resnet20, preresnet20, seresnet20, densenet40_k12")
    String arch;

    @Option(names = "--classes", defaultValue = "10", description = "number of classes (default ${DEFAULT-VALUE})")
    int classes;

    @Option(names = "--name", description = "model name (default ARCH_cifarCLASSES_advkit)")
    String name;

    @Option(names = "--normalization", defaultValue = "pytorchcv-cifar", description = "input normalization key (default ${DEFAULT-VALUE})")
    String normalization;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder: checkpoint, logs, best/final weights")
    Path out;

    @Option(names = "--epochs", defaultValue = "30", description = "(default ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128", description = "(default ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.1", description = "peak learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--schedule", defaultValue = "cosine", description = "multistep, cosine or onecycle (default ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--milestones", split = ",", description = "multistep epochs (default 50%% and 75%% of --epochs)")
    int[] milestones;

    @Option(names = "--gamma", defaultValue = "0.1", description = "multistep LR factor (default ${DEFAULT-VALUE})")
    double gamma;

    @Option(names = "--momentum", defaultValue = "0.9", description = "(default ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum")
    boolean nesterov;

    @Option(names = "--wd", defaultValue = "5e-4", description = "weight decay (default ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--label-smoothing", defaultValue = "0", description = "(default ${DEFAULT-VALUE})")
    double labelSmoothing;

    @Option(names = "--method", defaultValue = "standard",
            description = "standard, fgsm, fgsm-rs, free, pgd, trades, mart, alp, clp, gradreg (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--eps", defaultValue = "8", description = "adversarial budget, 0..255 scale, L-inf (default ${DEFAULT-VALUE})")
    double eps;

    @Option(names = "--alpha", description = "attack step, 0..255 scale (defaults: pgd/trades/mart/alp 2, fgsm-rs 1.25*eps)")
    Double alpha;

    @Option(names = "--attack-steps", defaultValue = "7", description = "K for pgd, trades, mart, alp (default ${DEFAULT-VALUE})")
    int attackSteps;

    @Option(names = "--replays", defaultValue = "8", description = "m for free (default ${DEFAULT-VALUE})")
    int replays;

    @Option(names = "--beta", defaultValue = "6", description = "TRADES beta (default ${DEFAULT-VALUE})")
    double beta;

    @Option(names = "--lambda", description = "MART lambda (default 6), ALP/CLP lambda (0.5), gradreg lambda (0.1)")
    Double lambda;

    @Option(names = "--seed", defaultValue = "0", description = "initialization, shuffling and augmentation seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--resume", description = "continue from DIR/checkpoint.advkit")
    boolean resume;

    @Option(names = "--guard-images", defaultValue = "512", description = "training images for the PGD overfitting guard of single-step methods")
    int guardImages;

    TrainingMethod method(double epsUnit) {
        double a = alpha == null ? 2.0 / 255 : alpha / 255;
        return switch (method) {
            case "standard" -> new StandardTraining();
            case "fgsm" -> new FgsmTraining(0.5);
            case "fgsm-rs" -> new FastFgsmTraining(alpha == null ? 1.25 : alpha / 255 / epsUnit);
            case "free" -> new FreeTraining(replays);
            case "pgd" -> new PgdTraining(attackSteps, a);
            case "trades" -> new TradesTraining(attackSteps, a, beta);
            case "mart" -> new MartTraining(attackSteps, a, lambda == null ? 6 : lambda);
            case "alp" -> new LogitPairingTraining(true, attackSteps, a, lambda == null ? 0.5 : lambda);
            case "clp" -> new LogitPairingTraining(false, attackSteps, a, lambda == null ? 0.5 : lambda);
            case "gradreg" -> {
                // a known defect, said where it bites rather than only in the docs
                System.err.println("advkit: warning: gradreg leaks about one batch graph per batch (double backprop through DJL); "
                        + "only short runs fit in memory (docs/BENCHMARKS.md)");
                yield new GradientRegularization(lambda == null ? 0.1 : lambda);
            }
            default -> throw new UserError("unknown --method '" + method + "'; expected standard, fgsm, fgsm-rs, free, pgd, trades, mart, alp, clp or gradreg");
        };
    }

    @Override
    public Integer call() throws IOException {
        common.apply();
        if (epochs < 1 || batchSize < 2 || !(lr > 0)) {
            throw new UserError("--epochs must be >= 1, --batch-size >= 2 and --lr > 0");
        }
        ThreatModel threat = ThreatModel.parse("linf", Double.toString(eps), 255);
        TrainingMethod m = method(threat.eps());
        if (Files.exists(out.resolve("final.advkit")) && !resume) {
            throw new UserError(out + " already holds a finished run (final.advkit); choose another --out");
        }
        if (Files.exists(out.resolve("checkpoint.advkit")) && !resume) {
            throw new UserError(out + " holds a checkpoint; continue it with --resume or choose another --out");
        }
        Files.createDirectories(out);
        String split = dataOptions.split != null ? dataOptions.split : Datasets.hasSplit(dataOptions.data, "train") ? "train" : null;
        ImageSet trainSet = Datasets.open(dataOptions.data, split, dataOptions.classes);
        if (val == null && !Datasets.hasSplit(dataOptions.data, "test")) {
            throw new UserError(dataOptions.data + " has no test split to evaluate on; name a held-out set with --val");
        }
        ImageSet valSet = val != null ? Datasets.open(val, null, dataOptions.classes)
                : Datasets.open(dataOptions.data, "test", dataOptions.classes);
        DecodedImages train;
        try (Progress bar = Progress.items("decode " + trainSet.describe(), trainSet.size(), "img", common.quiet)) {
            train = DecodedImages.decode(trainSet, n -> {
                if (n % 1000 == 0) {
                    bar.step(1000);
                }
            });
        }
        String modelName = name != null ? name : arch + "_cifar" + classes + "_advkit";
        Trainer.Config cfg = new Trainer.Config(modelName, arch, classes, Normalization.named(normalization), epochs, batchSize, lr,
                schedule, milestones, gamma, momentum, nesterov, weightDecay, labelSmoothing, seed, threat, valLimit, guardImages, 10);
        Trainer trainer = new Trainer(cfg, m, out, common.quiet);
        if (spec != null) {
            trainer.recordCommand("advkit train " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        }
        for (String sig : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> trainer.requestStop());
        }
        Map<String, Object> summary = trainer.run(train, valSet, resume);
        if (summary == null) {
            return 130; // stopped by a signal, checkpoint written
        }
        System.out.printf("%s: %d epochs, final held-out accuracy %.2f%%, %.0f s; wrote %s and %s%n", modelName,
                ((Number) summary.get("epochs_run")).intValue(), ((Number) summary.get("final_val_acc")).doubleValue(),
                ((Number) summary.get("seconds")).doubleValue(), out.resolve("final.advkit"), out.resolve("final.pth"));
        return 0;
    }
}

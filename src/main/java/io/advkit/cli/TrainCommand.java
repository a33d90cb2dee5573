package io.advkit.cli;

import io.advkit.attack.ThreatModel;
import io.advkit.data.Datasets;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageSet;
import io.advkit.data.Preprocessed;
import io.advkit.checkpoint.StateDict;
import io.advkit.model.Architectures;
import io.advkit.model.ModelLoader;
import io.advkit.model.ZooModel;
import io.advkit.model.ModelZoo;
import io.advkit.model.Normalization;
import io.advkit.train.Trainer;
import io.advkit.train.TrainingMethod;
import io.advkit.train.TrainingMethods;
import io.advkit.util.Progress;
import io.advkit.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
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

    @Option(names = "--method", defaultValue = "standard", completionCandidates = Names.MethodNames.class,
            description = "${COMPLETION-CANDIDATES} (advkit list methods); default ${DEFAULT-VALUE}")
    String method;

    @Mixin
    TrainingOptions training;

    @Mixin
    GeneratorTraining generator;

    @Option(names = "--val", paramLabel = "PATH", description = "held-out set evaluated each epoch (default: the data's test split)")
    Path val;

    @Option(names = "--val-limit", defaultValue = "10000", description = "evaluate on at most this many held-out images, drawn evenly from every class (default ${DEFAULT-VALUE})")
    int valLimit;

    @Option(names = {"-m", "--model"}, paramLabel = "ARCH", description = "architecture, e.g. resnet20, preresnet20, seresnet20, densenet40_k12, chenyaofo_shufflenetv2_x0_5 "
            + "(default with --init: the initial model's)")
    String arch;

    @Option(names = "--init", paramLabel = "MODEL", description = "start from this trained model's weights (a zoo name, NAME=FILE or FILE.advkit) "
            + "instead of a random initialization; architecture, classes and normalization come from it (lgv needs it)")
    String init;

    @Option(names = "--classes", description = "number of classes (default 10, or the --init model's)")
    Integer classes;

    @Option(names = "--name", description = "model name (default: the --out folder's name)")
    String name;

    @Option(names = "--normalization", paramLabel = "NAME|mean=..;std=..",
            description = "input normalization inside the model: a known name or mean=A,B,C;std=D,E,F (default: pytorchcv-cifar, none for grayscale)")
    String normalization;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "run folder: checkpoint, logs, best/final weights")
    Path out;

    @Option(names = "--epochs", description = "(default 30; lgv 10)")
    Integer epochs;

    @Option(names = "--batch-size", description = "(default 128; wgan-gp 64)")
    Integer batchSize;

    @Option(names = "--lr", description = "peak learning rate (default 0.1; lgv 0.05, its paper's; wgan-gp: Adam's, 1e-4)")
    Double lr;

    @Option(names = "--schedule", description = "multistep, cosine, onecycle or constant (default cosine; lgv constant)")
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

    @Option(names = "--seed", defaultValue = "0", description = "initialization, shuffling and augmentation seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--resume", description = "continue from DIR/checkpoint.advkit")
    boolean resume;

    @Option(names = "--guard-images", defaultValue = "512", description = "training images for the PGD overfitting guard of single-step methods")
    int guardImages;

    @Option(names = "--robust-val", defaultValue = "500", description = "held-out images whose PGD accuracy is measured each epoch "
            + "of adversarial training; multi-step methods keep the best epoch by it in best.advkit (0: off; default ${DEFAULT-VALUE})")
    int robustValImages;

    @Option(names = "--checkpoint-minutes", defaultValue = "10", paramLabel = "MIN", description = "also checkpoint inside an epoch "
            + "every MIN minutes, so a run killed without warning loses at most that much (0: at epoch ends only; default ${DEFAULT-VALUE})")
    double checkpointMinutes;

    /**
     * The model's name: --name, else the run folder's name. Never a zoo name: a trained model must not pass
     * for a published one in results (advkit's own shipped models are zoo entries too).
     */
    String modelName() {
        String n = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
        if (ModelZoo.contains(n)) {
            throw new UserError("the model name '" + n + "' is a zoo model's; give the run another --name (or another --out folder)");
        }
        return n;
    }

    /** The training images decoded into memory (in parallel), with a progress bar. */
    static DecodedImages decode(ImageSet set, boolean quiet) {
        try (Progress bar = Progress.items("decode " + set.describe(), set.size(), "img", quiet)) {
            int total = set.size();
            return DecodedImages.decode(set, n -> {
                if (n % 1000 == 0 || n == total) {
                    synchronized (bar) { // told from the decoding threads
                        bar.advanceTo(n);
                    }
                }
            });
        }
    }

    /** SIGINT and SIGTERM ask a training loop to checkpoint after its current step and stop. */
    static void stopOnSignal(Runnable requestStop) {
        for (String sig : new String[] {"INT", "TERM"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> requestStop.run());
        }
    }

    /** The command line that started this run, recorded in train.json and the model files. */
    private String commandLine() {
        return spec == null ? null : "advkit " + String.join(" ", spec.commandLine().getParseResult().originalArgs()); // the args start with "train"
    }

    @Override
    public Integer call() throws IOException {
        common.apply();
        boolean gan = GeneratorTraining.METHOD.equals(method);
        if (spec != null) { // an option of the other kind of training is a mistake, not something to ignore
            var parsed = spec.commandLine().getParseResult();
            for (String o : gan ? GeneratorTraining.CLASSIFIER_ONLY : GeneratorTraining.GENERATOR_ONLY) {
                if (parsed.hasMatchedOption(o)) {
                    throw new UserError(o + (gan ? " trains classifiers; wgan-gp takes " + String.join(", ", GeneratorTraining.GENERATOR_ONLY)
                            : " applies to --method wgan-gp only"));
                }
            }
        }
        if (gan) {
            return generator.run(common, dataOptions, out, name, batchSize, lr, seed, resume, commandLine());
        }
        int batchSize = this.batchSize == null ? 128 : this.batchSize;
        // every setting, and whether --out can take this run, is checked before the training images are decoded
        ThreatModel threat = ThreatModel.parse("linf", Double.toString(training.eps), 255);
        TrainingMethods.Entry entry = TrainingMethods.entry(method);
        TrainingMethod trainingMethod = entry.factory().apply(training.settings(threat.eps()));
        boolean collects = trainingMethod.collectPerEpoch() > 0; // LGV: a short constant-rate run from a trained model
        if (collects && init == null) {
            throw new UserError("--method " + method + " starts from a trained model; name it with --init MODEL");
        }
        int epochs = this.epochs != null ? this.epochs : collects ? 10 : 30;
        double lr = this.lr != null ? this.lr : collects ? 0.05 : 0.1;
        String schedule = this.schedule != null ? this.schedule : collects ? "constant" : "cosine";
        if (epochs < 1 || batchSize < 2 || !(lr > 0) || valLimit < 1) {
            throw new UserError("--epochs must be >= 1, --batch-size >= 2, --lr > 0 and --val-limit >= 1");
        }
        if (!(checkpointMinutes >= 0)) {
            throw new UserError("--checkpoint-minutes must be 0 (at epoch ends only) or more, got " + checkpointMinutes);
        }
        StateDict initialWeights = null;
        String arch = this.arch;
        int classes = this.classes != null ? this.classes : 10;
        Normalization initNormalization = null;
        Integer initChannels = null;
        if (init != null) {
            try (ZooModel m = new ModelLoader(common.weights()).loadZoo(init)) {
                if (arch != null && !arch.equals(m.arch())) {
                    throw new UserError("--init " + init + " is a " + m.arch() + ", not the -m " + arch + "; leave -m out or make them agree");
                }
                if (this.classes != null && this.classes != m.numClasses()) {
                    throw new UserError("--init " + init + " has " + m.numClasses() + " classes, not the --classes " + this.classes);
                }
                arch = m.arch();
                classes = m.numClasses();
                initNormalization = m.normalization();
                initChannels = m.channels();
                initialWeights = m.stateDict();
            }
        } else if (arch == null) {
            throw new UserError("name the architecture to train with -m ARCH (or start from a trained model with --init MODEL)");
        }
        String split = dataOptions.split != null ? dataOptions.split : Datasets.hasSplit(dataOptions.data, "train") ? "train" : null;
        ImageSet trainSet = Preprocessed.of(dataOptions.selection.select(Datasets.open(dataOptions.data, split, dataOptions.classes)),
                dataOptions.resize, dataOptions.centerCrop);
        if (val == null && !Datasets.hasSplit(dataOptions.data, "test")) {
            throw new UserError(dataOptions.data + " has no test split to evaluate on; name a held-out set with --val");
        }
        ImageSet valSet = Preprocessed.of(val != null ? Datasets.open(val, null, dataOptions.classes) : Datasets.open(dataOptions.data, "test", dataOptions.classes),
                dataOptions.resize, dataOptions.centerCrop);
        int channels = trainSet.size() == 0 ? 3 : trainSet.image(0).channels();
        if (initChannels != null && initChannels != channels) {
            throw new UserError("--init " + init + " takes " + initChannels + "-channel images, but " + dataOptions.data + " has " + channels);
        }
        if (initNormalization != null && normalization != null) {
            throw new UserError("--normalization comes from the --init model; leave it out");
        }
        Normalization norm = initNormalization != null ? initNormalization : normalization != null ? Normalization.parse(normalization)
                : Normalization.named(channels == 1 ? "none" : "pytorchcv-cifar");
        Architectures.create(arch, classes, channels);
        Trainer.Config cfg = new Trainer.Config(modelName(), arch, classes, channels, norm, epochs, batchSize, lr,
                schedule, milestones, gamma, momentum, nesterov, weightDecay, labelSmoothing, seed, threat, valLimit, guardImages, 10, robustValImages, init);
        io.advkit.train.LrSchedule.parse(schedule, lr, epochs, milestones, gamma);
        Trainer trainer = new Trainer(cfg, trainingMethod, out, common.quiet);
        trainer.checkpointEvery(checkpointMinutes == 0 ? java.time.Duration.ofDays(36_500)
                : java.time.Duration.ofMillis((long) (checkpointMinutes * 60_000)));
        trainer.startFrom(initialWeights);
        trainer.checkOutput(resume);
        if (entry.caveat() != null) {
            System.err.println("advkit: warning: " + entry.caveat()); // said where it bites, not only in the docs
        }
        io.advkit.data.ImageChecks.requireLabelsBelow(trainSet, classes, arch + " with " + classes + " classes");
        io.advkit.data.ImageChecks.requireLabelsBelow(valSet, classes, arch + " with " + classes + " classes");
        DecodedImages train = decode(trainSet, common.quiet);
        trainer.recordCommand(commandLine());
        stopOnSignal(trainer::requestStop);
        Trainer.Summary summary = trainer.run(train, valSet, resume);
        if (summary == null) {
            return 130; // stopped by a signal, checkpoint written
        }
        System.out.printf("%s: %d epochs, final held-out accuracy %.2f%%, %.0f s; wrote %s and %s%n", cfg.name(), summary.epochsRun(),
                summary.finalValAcc(), summary.seconds(), out.resolve("final.advkit"), out.resolve("final.pth"));
        if (collects) {
            try (var files = java.nio.file.Files.list(out.resolve(Trainer.COLLECTION))) {
                System.out.printf("collected %d models in %s; attack them in turn with -s lgv:%s%n",
                        files.filter(f -> f.toString().endsWith(".advkit")).count(),
                        out.resolve(Trainer.COLLECTION), out);
            }
        }
        return 0;
    }
}

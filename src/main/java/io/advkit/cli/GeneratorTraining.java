package io.advkit.cli;

import io.advkit.data.Datasets;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageSet;
import io.advkit.model.GanGenerator;
import io.advkit.train.WganGp;
import io.advkit.util.UserError;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code train --method wgan-gp}: a generator for Defense-GAN instead of a classifier; its options and its run. */
public class GeneratorTraining {
    public static final String METHOD = io.advkit.train.TrainingMethods.WGAN_GP;

    /** Options of this training only, and options of classifier training that it does not take. */
    static final java.util.List<String> GENERATOR_ONLY = java.util.List.of("--iterations", "--latent", "--width", "--critic-iters",
            "--gp-weight", "--checkpoint-every");
    static final java.util.List<String> CLASSIFIER_ONLY = java.util.List.of("--model", "--init", "--classes", "--epochs", "--schedule",
            "--milestones", "--gamma", "--momentum", "--nesterov", "--wd", "--normalization", "--val", "--val-limit", "--eps", "--alpha",
            "--attack-steps", "--replays", "--beta", "--lambda", "--collect-per-epoch", "--label-smoothing", "--guard-images", "--robust-val",
            "--checkpoint-minutes");

    @Option(names = "--iterations", description = "wgan-gp: generator updates (default 20000)")
    Integer iterations;

    @Option(names = "--latent", defaultValue = "128", description = "wgan-gp: latent code size (default ${DEFAULT-VALUE}, Defense-GAN's)")
    int latent;

    @Option(names = "--width", defaultValue = "64", description = "wgan-gp: channels of the generator's first layer and the critic's last (default ${DEFAULT-VALUE})")
    int width;

    @Option(names = "--critic-iters", defaultValue = "5", description = "wgan-gp: critic updates per generator update (default ${DEFAULT-VALUE})")
    int criticIters;

    @Option(names = "--gp-weight", defaultValue = "10", description = "wgan-gp: gradient-penalty weight λ (default ${DEFAULT-VALUE})")
    double gpWeight;

    @Option(names = "--checkpoint-every", defaultValue = "200", description = "wgan-gp: iterations between checkpoints, log lines and samples.png (default ${DEFAULT-VALUE})")
    int checkpointEvery;

    /**
     * Trains the generator on every image of the data's training split (labels unused). WGAN-GP's defaults where the
     * classifier's do not fit: batch 64, Adam at 1e-4 with β = (0.5, 0.9).
     */
    int run(CommonOptions common, DataOptions data, Path out, String name, Integer batchSize, Double lr, long seed, boolean resume,
            String commandLine) {
        String split = data.split != null ? data.split : Datasets.hasSplit(data.data, "train") ? "train" : null;
        ImageSet set = data.selection.select(Datasets.open(data.data, split, data.classes));
        if (set.size() == 0) {
            throw new UserError(data.data + ": no training images");
        }
        io.advkit.data.Image first = set.image(0);
        if (first.width() != first.height()) {
            throw new UserError("wgan-gp trains on square images; " + data.data + " has " + first.width() + "x" + first.height());
        }
        GanGenerator.Spec spec = GanGenerator.Spec.of(latent, width, first.channels(), first.width());
        String runName = name != null ? name : out.toAbsolutePath().normalize().getFileName().toString();
        WganGp.Config cfg = new WganGp.Config(runName, spec, iterations == null ? 20000 : iterations, batchSize == null ? 64 : batchSize,
                criticIters, gpWeight, lr == null ? 1e-4 : lr, 0.5, 0.9, seed, checkpointEvery, set.describe());
        WganGp trainer = new WganGp(cfg, out, common.quiet);
        trainer.checkOutput(resume);
        trainer.recordCommand(commandLine);
        DecodedImages train = TrainCommand.decode(set, common.quiet);
        TrainCommand.stopOnSignal(trainer::requestStop);
        WganGp.Summary summary = trainer.run(train, resume);
        if (summary == null) {
            return 130;
        }
        System.out.printf("%s: %d WGAN-GP iterations, %.0f s; wrote %s (use it as --defense defense-gan:%s)%n", runName,
                summary.iterations(), summary.seconds(), out.resolve(WganGp.GENERATOR), out.resolve(WganGp.GENERATOR));
        return 0;
    }
}

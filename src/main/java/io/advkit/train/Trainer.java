package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.annotations.SerializedName;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.GradientPipeline;
import io.advkit.attack.Loss;
import io.advkit.attack.PGD;
import io.advkit.attack.StepSize;
import io.advkit.attack.ThreatModel;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageSet;
import io.advkit.data.ImageSubset;
import io.advkit.eval.Evaluator;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.Normalization;
import io.advkit.model.StateDictBinder;
import io.advkit.model.ZooModel;
import io.advkit.util.Json;
import io.advkit.util.Journal;
import io.advkit.util.Params;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The training loop. Each epoch: batches through the method, an evaluation on the held-out set, one line
 * in {@code log.jsonl} (a {@link Journal}: its header holds the run's configuration), and
 * {@code checkpoint.advkit} (weights, optimizer momentum, method state, position). SIGINT/SIGTERM finish the
 * current batch, write the checkpoint and stop; a resumed run continues from it with the same batches and
 * random draws an uninterrupted run would have used. Single-step adversarial methods are watched for
 * catastrophic overfitting: PGD accuracy on a fixed training subset each epoch, the best epoch kept in
 * {@code best.advkit}, and training stopped when that accuracy collapses. Multi-step adversarial methods keep
 * in {@code best.advkit} the epoch with the highest PGD accuracy on a fixed held-out subset: Rice et al. (2020)
 * found robust accuracy peaking soon after a learning-rate decay and falling afterwards ("robust overfitting"),
 * and early stopping on held-out robust accuracy the best remedy.
 */
public final class Trainer {
    /** Everything that defines a run; recorded in checkpoints so a resume cannot silently change it. */
    public record Config(String name, String arch, int classes, int channels, Normalization normalization, int epochs, int batchSize, double lr,
                         String schedule, int[] milestones, double gamma, double momentum, boolean nesterov, double weightDecay,
                         double labelSmoothing, long seed, ThreatModel threat, int valLimit, int guardImages, int guardSteps,
                         int robustValImages, String init) {}

    /** The run's configuration as recorded in logs, checkpoints, train.json and model files. */
    public record RunConfig(String name, String arch, int classes, int epochs, int batchSize, Optimizer optimizer, String schedule,
                            int[] milestones, double gamma, double labelSmoothing, long seed, Params method, Threat threat,
                            String augmentation, String init) {}

    public record Optimizer(String name, double lr, double momentum, boolean nesterov, double weightDecay) {}

    public record Threat(String norm, double eps, @SerializedName("eps_255") double eps255) {}

    /** One epoch's line of log.jsonl. */
    public record EpochLog(int epoch, double lr, double trainLoss, double trainAcc, double valAcc, Double trainSubsetPgdAcc,
                           Double valPgdAcc, Boolean catastrophicOverfitting, double epochSeconds) {}

    /** Where a checkpoint stands: state.json inside checkpoint.advkit. */
    record CheckpointState(RunConfig config, int epoch, int batch, double bestMetric, double seconds, List<EpochLog> history,
                           EpochSoFar epochSoFar) {}

    /**
     * The running sums of an epoch stopped part-way (null at an epoch's end, and in checkpoints written before
     * it was kept), so the resumed epoch's log line covers all its batches, as an uninterrupted run's would.
     */
    record EpochSoFar(double lossSum, int lossBatches, int correct, int seen, double seconds) {}

    /** train.json. */
    public record Summary(String kind, RunConfig config, String command, int epochsRun, boolean stoppedEarlyForCatastrophicOverfitting,
                          Double finalValAcc, double seconds, List<EpochLog> history, RunInfo run) {}

    /** What a model file written by a run says about how it was trained. */
    record Provenance(Integer epoch, RunConfig training, EpochLog log, List<EpochLog> history, Double seconds) {}

    /** What a collected model (LGV) says about where in the run it was taken: fractional epoch and learning rate. */
    record Collected(int index, double epoch, double lr, RunConfig training) {}

    /** The folder of a run's collected models. */
    public static final String COLLECTION = "collection";

    static final String CHECKPOINT = "checkpoint.advkit";
    static final String LOG = "log.jsonl";

    private final Config config;
    private final TrainingMethod method;
    private final Path out;
    private final boolean quiet;
    private final AtomicBoolean stop = new AtomicBoolean();
    private Duration checkpointEvery = Duration.ofMinutes(10);
    private int checkpointsWritten;
    private String command;
    private StateDict initialWeights;

    public Trainer(Config config, TrainingMethod method, Path out, boolean quiet) {
        this.config = config;
        this.method = method;
        this.out = out;
        this.quiet = quiet;
    }

    /** The command line that started this run, recorded in train.json and the model files. */
    public void recordCommand(String commandLine) {
        this.command = commandLine;
    }

    /**
     * The weights a fresh run starts from (a trained model, for LGV) instead of a random initialization; the
     * config's {@code init} names where they came from. A resumed run takes its weights from the checkpoint.
     */
    public void startFrom(StateDict weights) {
        this.initialWeights = weights;
    }

    /**
     * How often a checkpoint is also written inside an epoch (default 10 minutes; at the latest at each epoch's
     * end anyway). A run killed without a chance to checkpoint (SIGKILL, a lost machine, the end of a session)
     * loses at most this much, not a whole epoch: a robust epoch of ResNet-20 on a laptop's two cores takes 25 minutes.
     */
    public void checkpointEvery(Duration every) {
        this.checkpointEvery = every;
    }

    /** Checkpoints written so far by {@link #run}, inside epochs and at their ends. */
    int checkpointsWritten() {
        return checkpointsWritten;
    }

    /** Asks the loop to checkpoint and stop after the current batch (signal handlers call this). */
    public void requestStop() {
        stop.set(true);
    }

    public RunConfig runConfig() {
        ThreatModel t = config.threat();
        return new RunConfig(config.name(), config.arch(), config.classes(), config.epochs(), config.batchSize(),
                new Optimizer("sgd", config.lr(), config.momentum(), config.nesterov(), config.weightDecay()), config.schedule(),
                config.milestones(), config.gamma(), config.labelSmoothing(), config.seed(), method.params(),
                method.adversarial() ? new Threat(t.norm().toString(), t.eps(), t.eps255()) : null,
                "random crop 32 from 4-pixel zero padding, horizontal flip p=0.5", config.init());
    }

    /**
     * Whether {@code out} holds a run this configuration may continue or start: a finished run is never
     * continued, and a checkpoint only by a resume with the same settings. Reads nothing heavy, so a refusal
     * comes before the training images are decoded.
     */
    public void checkOutput(boolean resume) {
        RunFolder.check(out, out.resolve("final.advkit"), out.resolve(CHECKPOINT), resume, runConfig(), () -> readState(out.resolve(CHECKPOINT)).config());
    }

    private static CheckpointState readState(Path ckpt) {
        Map<String, byte[]> e = AdvkitModelFile.readEntries(ckpt);
        if (!e.containsKey("state.json")) {
            throw new UserError(ckpt + ": not a training checkpoint (no state.json)");
        }
        return Json.GSON.fromJson(new String(e.get("state.json"), StandardCharsets.UTF_8), CheckpointState.class);
    }

    /**
     * Trains (or resumes) and returns the summary, or null when stopped by a signal. {@code train} is the decoded
     * training set; {@code val} the held-out set evaluated each epoch.
     */
    public Summary run(DecodedImages train, ImageSet val, boolean resume) {
        checkOutput(resume);
        ImageSet valSubset = ImageSubset.balanced(val, config.valLimit(), 0); // fixed, so epochs compare
        DecodedImages robustVal = method.adversarial() && config.robustValImages() > 0
                ? DecodedImages.decode(ImageSubset.balanced(val, config.robustValImages(), 0), n -> { }) : null;
        TrainBatches batches = new TrainBatches(train, config.batchSize(), config.seed(), true);
        int perEpoch = batches.perEpoch();
        LrSchedule schedule = LrSchedule.parse(config.schedule(), config.lr(), config.epochs(), config.milestones(), config.gamma());
        Path ckpt = out.resolve(CHECKPOINT);
        List<EpochLog> history = new ArrayList<>();
        int startEpoch = 0;
        int startBatch = 0;
        EpochSoFar resumedEpoch = null;
        double bestMetric = Double.NEGATIVE_INFINITY;
        long started = System.currentTimeMillis();
        double priorSeconds = 0;
        try (ZooModel model = ZooModel.create(config.name(), config.arch(), config.classes(), config.channels(), config.normalization(), config.seed());
             NDManager root = NDManager.newBaseManager()) {
            model.net().setTrainable(true);
            Sgd sgd = Sgd.forModel(model, config.momentum(), config.weightDecay(), config.nesterov(), root);
            boolean resuming = resume && Files.exists(ckpt);
            if (resuming) {
                Map<String, byte[]> e = AdvkitModelFile.readEntries(ckpt);
                CheckpointState state = readState(ckpt);
                StateDictBinder.load(model.net(), AdvkitModelFile.stateDictFrom(e.get("model.pth"), ckpt.toString()), ckpt.toString(), config.arch());
                model.net().setTrainable(true);
                sgd.load(AdvkitModelFile.stateDictFrom(e.get("optimizer.pth"), ckpt.toString()));
                if (e.containsKey("method.pth")) {
                    method.load(AdvkitModelFile.stateDictFrom(e.get("method.pth"), ckpt.toString()), root);
                }
                startEpoch = state.epoch();
                startBatch = state.batch();
                bestMetric = state.bestMetric();
                priorSeconds = state.seconds();
                resumedEpoch = state.epochSoFar();
                history.addAll(state.history());
                System.err.printf("resuming %s at epoch %d, batch %d%n", out, startEpoch + 1, startBatch);
            } else {
                if (resume) {
                    System.err.println("no checkpoint in " + out + "; starting " + (config.init() == null ? "from scratch" : "from " + config.init()));
                }
                if (config.init() != null) {
                    if (initialWeights == null) {
                        throw new IllegalStateException("the run starts from " + config.init() + " but no weights were given");
                    }
                    StateDictBinder.load(model.net(), initialWeights, config.init(), config.arch());
                    model.net().setTrainable(true);
                }
            }
            Journal<EpochLog> log = openLog(resuming, history);
            DecodedImages guardSet = method.singleStep() ? guardSubset(train) : null;
            boolean collapsed = false;
            long lastCheckpoint = System.currentTimeMillis();
            for (int epoch = startEpoch; epoch < config.epochs() && !collapsed; epoch++) {
                int from = epoch == startEpoch ? startBatch : 0;
                EpochSoFar sofar = epoch == startEpoch && from > 0 && resumedEpoch != null ? resumedEpoch : new EpochSoFar(0, 0, 0, 0, 0);
                long epochStart = System.currentTimeMillis() - (long) (sofar.seconds() * 1000);
                double lossSum = sofar.lossSum();
                int lossBatches = sofar.lossBatches();
                int correct = sofar.correct();
                int seen = sofar.seen();
                try (Progress bar = Progress.items(String.format("epoch %d/%d", epoch + 1, config.epochs()), perEpoch, "batch", quiet, from)) {
                    Iterator<Batch> it = batches.epoch(epoch, from);
                    for (int b = from; it.hasNext(); b++) {
                        Batch batch = it.next();
                        double lr = schedule.lr(epoch + (double) b / perEpoch);
                        Engine.getInstance().setRandomSeed((int) TrainBatches.mix(config.seed(), epoch, b, 2));
                        try (NDManager m = root.newSubManager()) {
                            TrainContext ctx = new TrainContext(model, sgd, lr, config.labelSmoothing(), config.threat(),
                                    new Random(TrainBatches.mix(config.seed(), epoch, b, 3)), m);
                            NDArray x = batch.toNDArray(m);
                            NDArray y = batch.labelsNDArray(m).toType(DataType.INT64, false);
                            method.trainBatch(ctx, x, y);
                            if (!Double.isFinite(ctx.meanLoss())) {
                                throw UserError.invalid("lr", "training diverged at epoch " + (epoch + 1) + " batch " + b + " (loss "
                                        + ctx.meanLoss() + "); lower the learning rate");
                            }
                            lossSum += ctx.meanLoss();
                            lossBatches++;
                            correct += ctx.correct();
                            seen += ctx.seen();
                        }
                        int k = Math.min(method.collectPerEpoch(), perEpoch); // at most one model per batch
                        if (k > 0 && (long) (b + 1) * k / perEpoch > (long) b * k / perEpoch) { // evenly spaced, the last at the epoch's end
                            collect(model, epoch * k + (int) ((long) (b + 1) * k / perEpoch), epoch + (b + 1.0) / perEpoch, lr);
                        }
                        bar.step(1);
                        bar.message(String.format("loss %.3f acc %.1f%% lr %.4f", lossSum / lossBatches, 100.0 * correct / seen, lr));
                        long now = System.currentTimeMillis();
                        boolean due = it.hasNext() && now - lastCheckpoint >= checkpointEvery.toMillis(); // the epoch's end writes its own
                        if (stop.get() || due) {
                            double secs = priorSeconds + (now - started) / 1000.0;
                            EpochSoFar part = new EpochSoFar(lossSum, lossBatches, correct, seen, (now - epochStart) / 1000.0);
                            writeCheckpoint(ckpt, model, sgd, new CheckpointState(runConfig(), epoch, b + 1, bestMetric, secs, history, part));
                            lastCheckpoint = now;
                            if (stop.get()) {
                                System.err.printf("%nstopped by signal: checkpoint written at epoch %d, batch %d; run the same command to resume%n",
                                        epoch + 1, b + 1);
                                return null;
                            }
                        }
                    }
                }
                double valAcc = Evaluator.evaluate(model, valSubset, 200, true).accuracy();
                double metric = valAcc;
                Double pgd = null;
                Double valPgd = robustVal == null ? null : pgdAccuracy(model, robustVal, root);
                if (guardSet != null) {
                    pgd = pgdAccuracy(model, guardSet, root);
                    metric = pgd;
                    collapsed = bestMetric > 0 && pgd < bestMetric - 20;
                } else if (valPgd != null) {
                    metric = valPgd;
                }
                EpochLog line = new EpochLog(epoch + 1, schedule.lr(epoch + 1 - 1e-9), lossSum / Math.max(1, lossBatches),
                        100.0 * correct / Math.max(1, seen), valAcc, pgd, valPgd, collapsed ? Boolean.TRUE : null,
                        (System.currentTimeMillis() - epochStart) / 1000.0);
                history.add(line);
                log.append(line);
                if (!quiet) {
                    System.err.println(Json.LINE.toJson(line));
                    int left = config.epochs() - epoch - 1;
                    if (left > 0 && !collapsed) { // each epoch's bar has its own ETA; a run of hours also wants the whole run's
                        double mean = history.stream().mapToDouble(EpochLog::epochSeconds).average().orElse(0);
                        String rest = Progress.format(Duration.ofSeconds(Math.round(mean * left)));
                        System.err.printf("%d of %d epochs done; %s about %s%n", epoch + 1, config.epochs(),
                                left == 1 ? "the last takes" : "the other " + left + " take", rest);
                    }
                }
                if (metric > bestMetric && !collapsed) {
                    bestMetric = metric;
                    AdvkitModelFile.save(out.resolve("best.advkit"), model, new Provenance(epoch + 1, runConfig(), line, null, null));
                }
                double secs = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
                writeCheckpoint(ckpt, model, sgd, new CheckpointState(runConfig(), epoch + 1, 0, bestMetric, secs, history, null));
                lastCheckpoint = System.currentTimeMillis();
            }
            double seconds = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
            if (collapsed) {
                System.err.println("catastrophic overfitting: PGD accuracy on the training subset collapsed; final model = best epoch");
                try (ZooModel best = AdvkitModelFile.load(out.resolve("best.advkit"))) {
                    return finish(best, history, seconds, true);
                }
            }
            return finish(model, history, seconds, false);
        }
    }

    /** Writes collected model number {@code index} (from 1) into the run's collection folder. */
    private void collect(ZooModel model, int index, double epoch, double lr) {
        Path dir = out.resolve(COLLECTION);
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new UserError(dir + ": cannot create (" + io.advkit.util.Errors.describe(e) + ")");
        }
        String stem = String.format("%s-%03d", method.name(), index);
        AdvkitModelFile.save(dir.resolve(stem + ".advkit"), model, new Collected(index, epoch, lr, runConfig()));
        // and as the PyTorch state_dict final.pth is, so that members can be shipped or used from Python as they are
        model.stateDict().save(dir.resolve(stem + ".pth"));
    }

    private Summary finish(ZooModel model, List<EpochLog> history, double seconds, boolean collapsed) {
        Summary summary = new Summary("train", runConfig(), command, history.size(), collapsed,
                history.isEmpty() ? null : history.get(history.size() - 1).valAcc(), seconds, history, RunInfo.now());
        AdvkitModelFile.save(out.resolve("final.advkit"), model, new Provenance(null, runConfig(), null, history, seconds));
        model.stateDict().save(out.resolve("final.pth"));
        Json.write(out.resolve("train.json"), summary);
        return summary;
    }

    private Journal<EpochLog> openLog(boolean resuming, List<EpochLog> history) {
        return RunFolder.openLog(out.resolve(LOG), runConfig(), history, resuming, EpochLog.class);
    }

    /** A fixed, seeded subset of the training images for the overfitting guard. */
    private DecodedImages guardSubset(DecodedImages train) {
        int n = Math.min(config.guardImages(), train.size());
        int[] idx = new TrainBatches(train, 1, config.seed() ^ 0x5eed, false).order(0);
        return train.subset(java.util.Arrays.copyOf(idx, n));
    }

    /** Accuracy under PGD (guardSteps steps, α = ε/4, random start) in inference mode. */
    private double pgdAccuracy(ZooModel model, DecodedImages set, NDManager root) {
        model.net().setTrainable(false);
        int correct = 0;
        try {
            PGD pgd = new PGD(config.guardSteps(), StepSize.ofEps(0.25), GradientPipeline.PLAIN);
            for (Batch b : new Batches(set, 256)) {
                try (NDManager m = root.newSubManager()) {
                    NDArray x = b.toNDArray(m);
                    NDArray y = b.labelsNDArray(m).toType(DataType.INT64, false);
                    AttackProblem p = AttackProblem.untargeted(model, x, y, Loss.CE, config.threat(), new Random(1), m);
                    for (boolean f : p.success(pgd.run(p))) {
                        correct += f ? 0 : 1;
                    }
                }
            }
        } finally {
            model.net().setTrainable(true);
        }
        return 100.0 * correct / set.size();
    }

    private void writeCheckpoint(Path ckpt, ZooModel model, Sgd sgd, CheckpointState state) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("state.json", Json.GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
        entries.put("model.pth", AdvkitModelFile.stateDictBytes(model.stateDict()));
        entries.put("optimizer.pth", AdvkitModelFile.stateDictBytes(sgd.state()));
        if (method.state().size() > 0) {
            entries.put("method.pth", AdvkitModelFile.stateDictBytes(method.state()));
        }
        AdvkitModelFile.writeEntries(ckpt, entries);
        checkpointsWritten++;
    }
}

package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.Loss;
import io.advkit.attack.PGD;
import io.advkit.attack.ThreatModel;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageSet;
import io.advkit.eval.Evaluator;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.StateDictBinder;
import io.advkit.model.ZooModel;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The training loop. Each epoch: batches through the method, an evaluation on the held-out set, one line
 * in {@code log.jsonl}, and {@code checkpoint.advkit} (weights, optimizer momentum, method state, position).
 * SIGINT/SIGTERM finish the current batch, write the checkpoint and stop; {@code --resume} continues from
 * it with the same batches and random draws an uninterrupted run would have used. Single-step adversarial
 * methods are watched for catastrophic overfitting: PGD accuracy on a fixed training subset each epoch,
 * the best epoch kept in {@code best.advkit}, and training stopped when that accuracy collapses.
 */
public final class Trainer {
    /** Everything that defines a run; recorded in checkpoints so a resume cannot silently change it. */
    public record Config(String name, String arch, int classes, io.advkit.model.Normalization normalization, int epochs,
                         int batchSize, double lr, String schedule, int[] milestones, double gamma, double momentum,
                         boolean nesterov, double weightDecay, double labelSmoothing, long seed, ThreatModel threat,
                         int valLimit, int guardImages, int guardSteps) {}

    private final Config config;
    private final TrainingMethod method;
    private final Path out;
    private final boolean quiet;
    private final AtomicBoolean stop = new AtomicBoolean();

    public Trainer(Config config, TrainingMethod method, Path out, boolean quiet) {
        this.config = config;
        this.method = method;
        this.out = out;
        this.quiet = quiet;
    }

    private String command;

    /** The command line that started this run, recorded in train.json and the model files. */
    public void recordCommand(String commandLine) {
        this.command = commandLine;
    }

    /** Asks the loop to checkpoint and stop after the current batch (signal handlers call this). */
    public void requestStop() {
        stop.set(true);
    }

    public Map<String, Object> configJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", config.name());
        m.put("arch", config.arch());
        m.put("classes", config.classes());
        m.put("epochs", config.epochs());
        m.put("batch_size", config.batchSize());
        m.put("optimizer", Map.of("name", "sgd", "lr", config.lr(), "momentum", config.momentum(), "nesterov", config.nesterov(),
                "weight_decay", config.weightDecay()));
        m.put("schedule", config.schedule());
        m.put("milestones", config.milestones());
        m.put("gamma", config.gamma());
        m.put("label_smoothing", config.labelSmoothing());
        m.put("seed", config.seed());
        m.put("method", method.config());
        if (method.adversarial()) {
            m.put("threat", Map.of("norm", config.threat().norm().toString(), "eps", config.threat().eps(), "eps_255", config.threat().eps255()));
        }
        m.put("augmentation", "random crop 32 from 4-pixel zero padding, horizontal flip p=0.5");
        return m;
    }

    /**
     * Trains (or resumes) and returns the summary. {@code train} is the decoded training set; {@code val}
     * the held-out set evaluated each epoch.
     */
    public Map<String, Object> run(DecodedImages train, ImageSet val, boolean resume) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError(out + ": cannot create (" + e.getMessage() + ")");
        }
        TrainBatches batches = new TrainBatches(train, config.batchSize(), config.seed(), true);
        int perEpoch = batches.perEpoch();
        LrSchedule schedule = LrSchedule.parse(config.schedule(), config.lr(), config.epochs(), config.milestones(), config.gamma());
        Path ckpt = out.resolve("checkpoint.advkit");
        List<Map<String, Object>> history = new ArrayList<>();
        int startEpoch = 0;
        int startBatch = 0;
        double bestMetric = Double.NEGATIVE_INFINITY;
        long started = System.currentTimeMillis();
        double priorSeconds = 0;
        try (ZooModel model = ZooModel.create(config.name(), config.arch(), config.classes(), config.normalization(), config.seed());
             NDManager root = NDManager.newBaseManager()) {
            model.net().setTrainable(true);
            Map<String, Parameter> trainable = new LinkedHashMap<>();
            model.net().namedParameters().forEach((k, p) -> {
                if (p.requiresGradient()) {
                    trainable.put(k, p);
                }
            });
            Sgd sgd = new Sgd(trainable, config.momentum(), config.weightDecay(), config.nesterov(), root);
            if (resume && Files.exists(ckpt)) {
                Map<String, byte[]> e = AdvkitModelFile.readEntries(ckpt);
                JsonObject state = Json.GSON.fromJson(new String(e.get("state.json"), StandardCharsets.UTF_8), JsonObject.class);
                if (!Json.GSON.toJsonTree(configJson()).equals(state.get("config"))) {
                    throw new UserError(ckpt + " was written by a run with other settings; resume with the same options or use a new --out");
                }
                StateDictBinder.load(model.net(), AdvkitModelFile.stateDictFrom(e.get("model.pth"), ckpt.toString()), ckpt.toString(), config.arch());
                model.net().setTrainable(true);
                sgd.load(AdvkitModelFile.stateDictFrom(e.get("optimizer.pth"), ckpt.toString()));
                if (e.containsKey("method.pth")) {
                    method.load(AdvkitModelFile.stateDictFrom(e.get("method.pth"), ckpt.toString()), root);
                }
                startEpoch = state.get("epoch").getAsInt();
                startBatch = state.get("batch").getAsInt();
                bestMetric = state.get("best_metric").getAsDouble();
                priorSeconds = state.get("seconds").getAsDouble();
                for (var h : state.getAsJsonArray("history")) {
                    history.add(Json.GSON.fromJson(h, Map.class));
                }
                rewriteLog(history); // a kill between the log line and the checkpoint must not duplicate a line
                System.err.printf("resuming %s at epoch %d, batch %d%n", out, startEpoch + 1, startBatch);
            } else if (resume) {
                System.err.println("no checkpoint in " + out + "; starting from scratch");
            }
            DecodedImages guardSet = method.singleStep() ? guardSubset(train) : null;
            boolean collapsed = false;
            for (int epoch = startEpoch; epoch < config.epochs() && !collapsed; epoch++) {
                long epochStart = System.currentTimeMillis();
                int from = epoch == startEpoch ? startBatch : 0;
                double lossSum = 0;
                int lossBatches = 0;
                int correct = 0;
                int seen = 0;
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
                                throw new UserError("training diverged at epoch " + (epoch + 1) + " batch " + b + " (loss " + ctx.meanLoss()
                                        + "); lower --lr");
                            }
                            lossSum += ctx.meanLoss();
                            lossBatches++;
                            correct += ctx.correct();
                            seen += ctx.seen();
                        }
                        bar.step(1);
                        bar.message(String.format("loss %.3f acc %.1f%% lr %.4f", lossSum / lossBatches, 100.0 * correct / seen, lr));
                        if (stop.get()) {
                            double secs = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
                            writeCheckpoint(ckpt, model, sgd, epoch, b + 1, bestMetric, history, secs);
                            System.err.printf("%nstopped by signal: checkpoint written at epoch %d, batch %d; continue with --resume%n",
                                    epoch + 1, b + 1);
                            return null;
                        }
                    }
                }
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("epoch", epoch + 1);
                line.put("lr", schedule.lr(epoch + 1 - 1e-9));
                line.put("train_loss", lossSum / Math.max(1, lossBatches));
                line.put("train_acc", 100.0 * correct / Math.max(1, seen));
                line.put("val_acc", Evaluator.evaluate(model, limit(val), 200, true).accuracy());
                double metric = (double) line.get("val_acc");
                if (guardSet != null) {
                    double pgd = pgdAccuracy(model, guardSet, root);
                    line.put("train_subset_pgd_acc", pgd);
                    metric = pgd;
                    if (bestMetric > 0 && pgd < bestMetric - 20) {
                        collapsed = true;
                        line.put("catastrophic_overfitting", true);
                    }
                }
                line.put("epoch_seconds", (System.currentTimeMillis() - epochStart) / 1000.0);
                history.add(line);
                appendLog(line);
                if (!quiet) {
                    System.err.println(Json.LINE.toJson(line));
                }
                if (metric > bestMetric && !collapsed) {
                    bestMetric = metric;
                    AdvkitModelFile.save(out.resolve("best.advkit"), model, Map.of("epoch", epoch + 1, "training", configJson(), "log", line));
                }
                double secs = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
                writeCheckpoint(ckpt, model, sgd, epoch + 1, 0, bestMetric, history, secs);
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

    private Map<String, Object> finish(ZooModel model, List<Map<String, Object>> history, double seconds, boolean collapsed) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("kind", "train");
        summary.put("config", configJson());
        if (command != null) {
            summary.put("command", command);
        }
        summary.put("epochs_run", history.size());
        summary.put("stopped_early_for_catastrophic_overfitting", collapsed);
        summary.put("final_val_acc", history.isEmpty() ? null : history.get(history.size() - 1).get("val_acc"));
        summary.put("seconds", seconds);
        summary.put("history", history);
        summary.put("run", RunInfo.describe());
        AdvkitModelFile.save(out.resolve("final.advkit"), model, Map.of("training", configJson(), "history", history, "seconds", seconds));
        model.stateDict().save(out.resolve("final.pth"));
        Json.write(out.resolve("train.json"), summary);
        return summary;
    }

    private ImageSet limit(ImageSet val) {
        if (val.size() <= config.valLimit()) {
            return val;
        }
        return new ImageSet() { // the first valLimit images: a fixed subset, so epochs compare
            public int size() {
                return config.valLimit();
            }

            public String name(int i) {
                return val.name(i);
            }

            public int label(int i) {
                return val.label(i);
            }

            public io.advkit.data.Image image(int i) {
                return val.image(i);
            }

            public List<String> classNames() {
                return val.classNames();
            }

            public String describe() {
                return val.describe() + " (first " + config.valLimit() + ")";
            }
        };
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
            for (Batch b : new Batches(set, 256)) {
                try (NDManager m = root.newSubManager()) {
                    NDArray x = b.toNDArray(m);
                    NDArray y = b.labelsNDArray(m).toType(DataType.INT64, false);
                    AttackProblem p = new AttackProblem(model, x, y, y, false, Loss.CE, config.threat(), new Random(1), m);
                    NDArray adv = new PGD(config.guardSteps(), config.threat().eps() / 4, 1).run(p);
                    boolean[] fooled = p.success(adv);
                    for (boolean f : fooled) {
                        correct += f ? 0 : 1;
                    }
                }
            }
        } finally {
            model.net().setTrainable(true);
        }
        return 100.0 * correct / set.size();
    }

    private void writeCheckpoint(Path ckpt, ZooModel model, Sgd sgd, int epoch, int batch, double bestMetric,
                                 List<Map<String, Object>> history, double seconds) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("config", configJson());
        state.put("epoch", epoch);
        state.put("batch", batch);
        state.put("best_metric", bestMetric);
        state.put("seconds", seconds);
        state.put("history", history);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("state.json", Json.GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
        entries.put("model.pth", AdvkitModelFile.stateDictBytes(model.stateDict()));
        entries.put("optimizer.pth", AdvkitModelFile.stateDictBytes(sgd.state()));
        if (method.state().size() > 0) {
            entries.put("method.pth", AdvkitModelFile.stateDictBytes(method.state()));
        }
        AdvkitModelFile.writeEntries(ckpt, entries);
    }

    private void rewriteLog(List<Map<String, Object>> history) {
        StringBuilder sb = new StringBuilder();
        history.forEach(h -> sb.append(Json.LINE.toJson(h)).append('\n'));
        io.advkit.data.ImageCodec.writeAtomically(out.resolve("log.jsonl"), sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void appendLog(Map<String, Object> line) {
        try {
            Files.writeString(out.resolve("log.jsonl"), Json.LINE.toJson(line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserError(out.resolve("log.jsonl") + ": cannot write (" + e.getMessage() + ")");
        }
    }
}

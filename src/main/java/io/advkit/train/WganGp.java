package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advkit.data.Batch;
import io.advkit.data.DecodedImages;
import io.advkit.data.Image;
import io.advkit.data.ImageCodec;
import io.advkit.model.AdvkitModelFile;
import io.advkit.model.GanCritic;
import io.advkit.model.GanGenerator;
import io.advkit.model.GeneratorFile;
import io.advkit.model.StateDictBinder;
import io.advkit.util.InputGradient;
import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.Progress;
import io.advkit.util.RunInfo;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * WGAN-GP (Gulrajani et al. 2017), the generator Defense-GAN projects onto. Each iteration: {@code criticIters} critic
 * updates on L = D(G(z)) − D(x) + λ·(‖∇D(x̂)‖₂ − 1)², x̂ a random point between a real and a generated image, then one
 * generator update on −D(G(z)); both with Adam. The penalty's input gradient is computed with its own graph
 * ({@link InputGradient}), so its gradient reaches the critic's weights (double backpropagation).
 * Resumable like classifier training: {@code checkpoint.advkit} every {@code checkpointEvery} iterations and on a
 * signal, a line per checkpoint in {@code log.jsonl}, a grid of samples from fixed codes in {@code samples.png}; the
 * result is {@code generator.advkit}. A resumed run draws what an uninterrupted one would have.
 */
public final class WganGp {
    /** Everything that defines a run; recorded in checkpoints so a resume cannot silently change it. */
    public record Config(String name, GanGenerator.Spec generator, int iterations, int batchSize, int criticIters, double gpWeight,
                         double lr, double beta1, double beta2, long seed, int checkpointEvery, String data) {
        public Config {
            if (iterations < 1 || batchSize < 2 || criticIters < 1 || !(gpWeight >= 0) || !(lr > 0) || checkpointEvery < 1) {
                throw UserError.invalid("wgan-gp", "WGAN-GP needs iterations >= 1, batch size >= 2, critic iterations >= 1, "
                        + "a penalty weight >= 0 and a learning rate > 0");
            }
        }
    }

    /** One line of log.jsonl: means over the iterations since the previous line. */
    public record LogLine(int iteration, double wasserstein, double gradientPenalty, double generatorLoss, double seconds) {}

    record State(Config config, int iteration, double seconds, List<LogLine> history) {}

    /** train.json. */
    public record Summary(String kind, Config config, String command, int iterations, double seconds, List<LogLine> history, RunInfo run) {}

    /** What generator.advkit records about its training. */
    record Provenance(Config training, int iterations, LogLine last, double seconds) {}

    static final String CHECKPOINT = "checkpoint.advkit";
    public static final String GENERATOR = "generator.advkit";
    /** train.json's kind: a generator's run, not a classifier's. */
    public static final String KIND = "wgan-gp";

    private final Config config;
    private final Path out;
    private final boolean quiet;
    private final AtomicBoolean stop = new AtomicBoolean();
    private String command;

    public WganGp(Config config, Path out, boolean quiet) {
        this.config = config;
        this.out = out;
        this.quiet = quiet;
    }

    public void recordCommand(String commandLine) {
        this.command = commandLine;
    }

    public void requestStop() {
        stop.set(true);
    }

    /** Refuses a finished run, and a checkpoint of other settings, before the training images are decoded. */
    public void checkOutput(boolean resume) {
        RunFolder.check(out, out.resolve(GENERATOR), out.resolve(CHECKPOINT), resume, config, () -> readState(out.resolve(CHECKPOINT)).config());
    }

    private static State readState(Path ckpt) {
        Map<String, byte[]> e = AdvkitModelFile.readEntries(ckpt);
        if (!e.containsKey("state.json")) {
            throw new UserError(ckpt + ": not a WGAN-GP checkpoint (no state.json)");
        }
        return Json.GSON.fromJson(new String(e.get("state.json"), StandardCharsets.UTF_8), State.class);
    }

    /**
     * The gradient penalty per example, (‖∇ₓ D(x̂)‖₂ − 1)², differentiable with respect to the critic's weights; inside a
     * gradient collector (its input gradient needs the critic's graph).
     */
    static NDArray gradientPenalty(GanCritic critic, NDArray interpolated) {
        NDArray xi = interpolated.duplicate();
        xi.attach(interpolated.getManager());
        xi.setRequiresGradient(true);
        // the critic scores each example on its own, so the gradient of the summed scores holds each one's gradient
        NDArray g = InputGradient.differentiable(critic.forward(xi, true), xi);
        long n = g.getShape().get(0);
        NDArray norm = g.reshape(n, -1).square().sum(new int[] {1}).add(1e-12f).sqrt();
        return norm.sub(1f).square();
    }

    /** Trains (or resumes) and returns the summary, or null when stopped by a signal. */
    public Summary run(DecodedImages train, boolean resume) {
        checkOutput(resume);
        GanGenerator.Spec spec = config.generator();
        if (train.size() > 0 && (train.channels() != spec.channels() || train.width() != spec.size() || train.height() != spec.size())) {
            throw UserError.invalid("data", "the training images are " + train.channels() + "×" + train.width() + "×" + train.height()
                    + ", the generator makes " + spec.channels() + "×" + spec.size() + "×" + spec.size());
        }
        TrainBatches batches = new TrainBatches(train, config.batchSize(), config.seed(), false);
        Path ckpt = out.resolve(CHECKPOINT);
        List<LogLine> history = new ArrayList<>();
        int start = 0;
        double priorSeconds = 0;
        long started = System.currentTimeMillis();
        try (NDManager root = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) TrainBatches.mix(config.seed(), 0));
            GanGenerator g = GanGenerator.create(spec, root);
            GanCritic d = GanCritic.create(spec, root);
            g.setTrainable(true);
            d.setTrainable(true);
            Adam adamG = Adam.forModule(g, config.beta1(), config.beta2(), root);
            Adam adamD = Adam.forModule(d, config.beta1(), config.beta2(), root);
            boolean resuming = resume && Files.exists(ckpt);
            if (resuming) {
                Map<String, byte[]> e = AdvkitModelFile.readEntries(ckpt);
                State s = readState(ckpt);
                StateDictBinder.load(g, AdvkitModelFile.stateDictFrom(e.get("generator.pth"), ckpt.toString()), ckpt.toString(), spec.arch());
                StateDictBinder.load(d, AdvkitModelFile.stateDictFrom(e.get("critic.pth"), ckpt.toString()), ckpt.toString(), "critic");
                g.setTrainable(true);
                d.setTrainable(true);
                adamG.load(AdvkitModelFile.stateDictFrom(e.get("adam-generator.pth"), ckpt.toString()));
                adamD.load(AdvkitModelFile.stateDictFrom(e.get("adam-critic.pth"), ckpt.toString()));
                start = s.iteration();
                priorSeconds = s.seconds();
                history.addAll(s.history());
                System.err.printf("resuming %s at iteration %d%n", out, start);
            } else if (resume) {
                System.err.println("no checkpoint in " + out + "; starting from scratch");
            }
            Journal<LogLine> log = openLog(resuming, history);
            RealImages real = new RealImages(batches, (long) start * config.criticIters());
            double wSum = 0;
            double gpSum = 0;
            double gSum = 0;
            int since = 0;
            try (Progress bar = Progress.items("wgan-gp", config.iterations(), "it", quiet, start)) {
                for (int it = start; it < config.iterations(); it++) {
                    for (int k = 0; k < config.criticIters(); k++) {
                        Batch b = real.next();
                        Engine.getInstance().setRandomSeed((int) TrainBatches.mix(config.seed(), it, k, 1));
                        try (NDManager m = root.newSubManager()) {
                            NDArray x = b.toNDArray(m);
                            long n = x.getShape().get(0);
                            NDArray fake = g.forward(m.randomNormal(new Shape(n, spec.latent())), true); // no graph: grad mode is off here
                            NDArray mix = m.randomUniform(0f, 1f, new Shape(n, 1, 1, 1));
                            NDArray between = x.mul(mix).add(fake.mul(mix.neg().add(1f)));
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                NDArray w = d.forward(x, true).mean().sub(d.forward(fake, true).mean());
                                NDArray gp = gradientPenalty(d, between).mean();
                                NDArray loss = Scalars.times(gp, config.gpWeight()).sub(w);
                                gc.backward(loss);
                                wSum += w.getFloat() / config.criticIters();
                                gpSum += gp.getFloat() / config.criticIters();
                            }
                            adamD.step(config.lr());
                        }
                    }
                    Engine.getInstance().setRandomSeed((int) TrainBatches.mix(config.seed(), it, 2));
                    try (NDManager m = root.newSubManager()) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = d.forward(g.forward(m.randomNormal(new Shape(config.batchSize(), spec.latent())), true), true).mean().neg();
                            gc.backward(loss);
                            gSum += loss.getFloat();
                        }
                        adamG.step(config.lr());
                        adamD.zeroGrad(); // the generator's loss went through the critic: those gradients are not the critic's update
                    }
                    since++;
                    if (!Double.isFinite(wSum) || !Double.isFinite(gSum)) {
                        throw UserError.invalid("lr", "WGAN-GP diverged at iteration " + (it + 1) + "; lower the learning rate");
                    }
                    bar.step(1);
                    bar.message(String.format("W %.3f gp %.3f", wSum / since, gpSum / since));
                    boolean last = it + 1 == config.iterations();
                    if ((it + 1) % config.checkpointEvery() == 0 || last || stop.get()) {
                        double secs = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
                        LogLine line = new LogLine(it + 1, wSum / since, gpSum / since, gSum / since, secs);
                        history.add(line);
                        log.append(line);
                        wSum = gpSum = gSum = 0;
                        since = 0;
                        writeSamples(g, root);
                        writeCheckpoint(ckpt, g, d, adamG, adamD, new State(config, it + 1, secs, history));
                        if (stop.get() && !last) {
                            System.err.printf("%nstopped by signal: checkpoint written at iteration %d; run the same command to resume%n", it + 1);
                            return null;
                        }
                    }
                }
            }
            double seconds = priorSeconds + (System.currentTimeMillis() - started) / 1000.0;
            g.setTrainable(false);
            GeneratorFile.save(out.resolve(GENERATOR), g, new Provenance(config, config.iterations(),
                    history.isEmpty() ? null : history.get(history.size() - 1), seconds));
            Summary summary = new Summary(KIND, config, command, config.iterations(), seconds, history, RunInfo.now());
            Json.write(out.resolve("train.json"), summary);
            return summary;
        }
    }

    /** The real batches the critic sees, one after another across epochs, from any position (a resumed run's). */
    private static final class RealImages {
        private final TrainBatches batches;
        private int epoch;
        private Iterator<Batch> it;

        RealImages(TrainBatches batches, long position) {
            this.batches = batches;
            this.epoch = (int) (position / batches.perEpoch());
            this.it = batches.epoch(epoch, (int) (position % batches.perEpoch()));
        }

        Batch next() {
            if (!it.hasNext()) {
                it = batches.epoch(++epoch, 0);
            }
            return it.next();
        }
    }

    /** samples.png: an 8×8 grid of images from 64 fixed codes, so checkpoints can be compared by eye. */
    private void writeSamples(GanGenerator g, NDManager root) {
        GanGenerator.Spec s = g.spec();
        int side = 8;
        float[] px;
        try (NDManager m = root.newSubManager()) {
            java.util.Random r = new java.util.Random(config.seed() ^ 0x5a5a);
            float[] z = new float[side * side * s.latent()];
            for (int i = 0; i < z.length; i++) {
                z[i] = (float) r.nextGaussian();
            }
            px = g.forward(m.create(z, new Shape(side * side, s.latent())), false).toFloatArray();
        }
        int size = s.size();
        int w = side * size;
        int[] chw = new int[s.channels() * w * w];
        for (int k = 0; k < side * side; k++) {
            for (int c = 0; c < s.channels(); c++) {
                for (int yy = 0; yy < size; yy++) {
                    for (int xx = 0; xx < size; xx++) {
                        float v = px[((k * s.channels() + c) * size + yy) * size + xx];
                        int row = (k / side) * size + yy;
                        int col = (k % side) * size + xx;
                        chw[(c * w + row) * w + col] = Math.round(Math.max(0, Math.min(1, v)) * 255);
                    }
                }
            }
        }
        ImageCodec.writePng(Image.fromChw(chw, s.channels(), w, w), out.resolve("samples.png"));
    }

    private Journal<LogLine> openLog(boolean resuming, List<LogLine> history) {
        return RunFolder.openLog(out.resolve("log.jsonl"), config, history, resuming, LogLine.class);
    }

    private static void writeCheckpoint(Path ckpt, GanGenerator g, GanCritic d, Adam adamG, Adam adamD, State state) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("state.json", Json.GSON.toJson(state).getBytes(StandardCharsets.UTF_8));
        entries.put("generator.pth", AdvkitModelFile.stateDictBytes(StateDictBinder.export(g)));
        entries.put("critic.pth", AdvkitModelFile.stateDictBytes(StateDictBinder.export(d)));
        entries.put("adam-generator.pth", AdvkitModelFile.stateDictBytes(adamG.state()));
        entries.put("adam-critic.pth", AdvkitModelFile.stateDictBytes(adamD.state()));
        AdvkitModelFile.writeEntries(ckpt, entries);
    }
}

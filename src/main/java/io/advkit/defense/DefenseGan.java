package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.model.GanGenerator;
import io.advkit.model.GeneratorFile;
import io.advkit.util.InputGradient;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Defense-GAN (Samangouei et al. ICLR 2018): the model classifies G(z*), the point of a generator's range closest to the
 * input, found by L steps of gradient descent on ‖G(z) − x‖² (mean over pixels) from R random codes, the best of the R
 * kept. Descent as the authors' code runs it: momentum 0.7, learning rate 10, divided by 10 after 80% of the steps.
 *
 * <p>Gradients: the projection is a differentiable function of x through its L descent steps, and "naive" attacks get
 * exactly that gradient (the steps are unrolled with their own graphs, {@link InputGradient#differentiable}: costly,
 * memory grows with L·R per image, and it vanishes — the obfuscation Athalye et al. 2018 describe). BPDA replaces the
 * projection by the identity on the way back ({@link #bpdaReplaces}). The random codes make the defense random: the
 * same image may be projected to different points.
 */
public final class DefenseGan implements Preprocessor {
    /** The paper's R = 10 restarts, L = 200 steps; the authors' optimizer settings. */
    public static final int RESTARTS = 10;
    public static final int STEPS = 200;
    static final double LEARNING_RATE = 10;
    static final double MOMENTUM = 0.7;

    /** Generators by file, loaded once per process: an audit wraps the defense again for every batch and mode. */
    private static final Map<String, GanGenerator> LOADED = new ConcurrentHashMap<>();

    private final Path file;
    private final GanGenerator generator;
    private final int restarts;
    private final int steps;

    public DefenseGan(Path file, GanGenerator generator, int restarts, int steps) {
        if (restarts < 1 || steps < 0) {
            throw UserError.invalid("defense", "defense-gan needs R >= 1 random starts and L >= 0 descent steps");
        }
        this.file = file;
        this.generator = generator;
        this.restarts = restarts;
        this.steps = steps;
    }

    /** "FILE[,R[,L]]": the generator file written by WGAN-GP training, restarts R and steps L (default 10, 200). */
    static DefenseGan parse(String arg) {
        if (arg == null || arg.isBlank()) {
            throw UserError.invalid("defense", "defense-gan needs its generator: defense-gan:GENERATOR.advkit[,R[,L]]");
        }
        String[] parts = arg.split(",");
        int r = RESTARTS;
        int l = STEPS;
        try {
            if (parts.length > 1) {
                r = Integer.parseInt(parts[1].strip());
            }
            if (parts.length > 2) {
                l = Integer.parseInt(parts[2].strip());
            }
        } catch (NumberFormatException e) {
            throw UserError.invalid("defense", "defense-gan:" + arg + ": R and L must be whole numbers (defense-gan:GENERATOR.advkit,R,L)");
        }
        if (parts.length > 3) {
            throw UserError.invalid("defense", "defense-gan:" + arg + ": expected defense-gan:GENERATOR.advkit[,R[,L]]");
        }
        Path f = Path.of(parts[0].strip()).toAbsolutePath().normalize();
        return new DefenseGan(f, load(f), r, l);
    }

    private static GanGenerator load(Path f) {
        if (!Files.isRegularFile(f)) {
            throw UserError.invalid("defense", "defense-gan: no generator file " + f);
        }
        String key;
        try {
            key = f + "@" + Files.getLastModifiedTime(f).toMillis() + ":" + Files.size(f);
        } catch (java.io.IOException e) {
            throw new UserError(f + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        }
        // the generator's arrays live as long as the process, in a manager of their own
        return LOADED.computeIfAbsent(key, k -> GeneratorFile.load(f, NDManager.newBaseManager()));
    }

    public GanGenerator generator() {
        return generator;
    }

    @Override
    public String name() {
        return "defense-gan:" + file.getFileName() + "," + restarts + "," + steps;
    }

    @Override
    public boolean random() {
        return true;
    }

    /** Differentiable through the unrolled descent, but BPDA passes the identity instead, as for a non-differentiable step. */
    @Override
    public boolean bpdaReplaces() {
        return true;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        return project(x, rng).image();
    }

    /** The projection: G(z*) per image and the codes z* (N×latent, detached). */
    public record Projection(NDArray image, NDArray codes) {}

    /**
     * Projects x (N×C×S×S) onto the generator's range. When x carries a graph (a naive attack differentiates through the
     * defense), every descent step keeps its own, so G(z*) is differentiable with respect to x; otherwise each step's
     * memory is freed as it ends.
     */
    public Projection project(NDArray x, Random rng) {
        GanGenerator.Spec spec = generator.spec();
        long[] s = x.getShape().getShape();
        if (s[1] != spec.channels() || s[2] != spec.size() || s[3] != spec.size()) {
            throw UserError.invalid("defense", "defense-gan's generator makes " + spec.channels() + "×" + spec.size() + "×" + spec.size()
                    + " images, the model is given " + s[1] + "×" + s[2] + "×" + s[3]);
        }
        int n = (int) s[0];
        int rows = n * restarts;
        boolean unrolled = InputGradient.tracked(x);
        NDManager m = x.getManager();
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(true); // the descent needs ∇z whether or not anything outside is being differentiated
        try {
            // rows r·N + i: image i, restart r
            NDArray target = x.expandDims(0).broadcast(new Shape(restarts, s[0], s[1], s[2], s[3])).reshape(rows, s[1], s[2], s[3]);
            NDArray drawn = m.create(gaussian(rng, rows * spec.latent()), new Shape(rows, spec.latent()));
            NDArray z = drawn.duplicate(); // engine-owned memory: create() wraps a Java buffer, which a graph must not outlive
            drawn.close();
            NDArray velocity = m.zeros(z.getShape());
            int decayAt = (int) Math.ceil(steps * 0.8);
            for (int t = 0; t < steps; t++) {
                double lr = t < decayAt ? LEARNING_RATE : LEARNING_RATE * 0.1;
                if (unrolled) {
                    NDArray zt = t == 0 ? leaf(z) : z;
                    NDArray g = InputGradient.differentiable(reconstructionError(zt, target), zt);
                    velocity = Scalars.times(velocity, MOMENTUM).add(g);
                    z = zt.sub(Scalars.times(velocity, lr));
                } else {
                    try (NDManager step = m.newSubManager()) {
                        NDArray zt = leaf(z);
                        zt.attach(step);
                        NDArray g = InputGradient.of(reconstructionError(zt, target), zt);
                        NDArray v = velocity.mul(MOMENTUM).add(g);
                        NDArray next = z.sub(v.mul(lr));
                        v.attach(m);
                        next.attach(m);
                        velocity.close();
                        z.close();
                        velocity = v;
                        z = next;
                    }
                }
            }
            NDArray images = generator.forward(z, false);
            NDArray errors = reconstructionError(z.stopGradient(), target.stopGradient()).reshape(restarts, n);
            long[] best = errors.argMin(0).toLongArray();
            long[] pick = new long[n];
            for (int i = 0; i < n; i++) {
                pick[i] = best[i] * n + i;
            }
            NDArray index = m.create(pick);
            return new Projection(images.get(new NDIndex("{}", index)), z.stopGradient().get(new NDIndex("{}", index)));
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    /** Per row, the mean squared difference between G(z) and the target (the authors' loss; its sum is descended). */
    private NDArray reconstructionError(NDArray z, NDArray target) {
        long rows = z.getShape().get(0);
        return generator.forward(z, false).sub(target).square().reshape(rows, -1).mean(new int[] {1});
    }

    private static NDArray leaf(NDArray z) {
        NDArray l = z.stopGradient();
        l.setRequiresGradient(true);
        return l;
    }

    private static float[] gaussian(Random rng, int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) rng.nextGaussian();
        }
        return out;
    }
}

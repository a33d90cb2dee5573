package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * SPSA (Uesato et al. 2018, "Adversarial risk and the dangers of evaluating against weak attacks"): gradient-free.
 * The gradient of the margin z_y − max_{j≠y} z_j is estimated from scores alone, as the mean of
 * (m(x + δv) − m(x − δv))/(2δ)·v over {@code samples} random sign vectors v, and descended with Adam (lr 0.01),
 * each step projected onto the ε-ball; δ = 0.01, 128 samples, 100 iterations as in the paper. Images stop once
 * misclassified. Its cost is 2·samples forward passes per image and iteration, and no gradient is ever taken.
 */
public final class SPSA implements Attack {
    private static final double DELTA = 0.01;
    private static final double LR = 0.01;

    private final int iterations;
    private final int samples;

    public SPSA(int iterations, int samples) {
        if (iterations < 1 || samples < 1) {
            throw UserError.invalid("steps", "SPSA needs at least 1 iteration and 1 sample, got " + iterations + " and " + samples);
        }
        this.iterations = iterations;
        this.samples = samples;
    }

    @Override
    public boolean scoresOnly() {
        return true;
    }

    @Override
    public String name() {
        return "spsa";
    }

    @Override
    public NDArray run(AttackProblem p) {
        if (p.targeted()) {
            throw UserError.invalid("target", "spsa runs untargeted");
        }
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal()); AdamMoments adam = new AdamMoments(p.manager(), shape)) {
            NDArray x;
            try (NDManager step = s.openStep()) {
                x = s.keep(p.x().duplicate(), null);
            }
            s.endStep();
            boolean[] fooled = p.success(x);
            for (int it = 0; it < iterations && !Masks.all(fooled) && p.threat().eps() > 0; it++) {
                try (NDManager step = s.openStep()) {
                    NDArray g = estimate(p, x, step);
                    float[] active = new float[n];
                    for (int i = 0; i < n; i++) {
                        active[i] = fooled[i] ? 0 : 1;
                    }
                    NDArray on = step.create(active).reshape(n, 1, 1, 1);
                    // descend the margin; images already fooled stay where they are
                    x = s.keep(p.threat().project(x.sub(adam.direction(g).mul(LR).mul(on)), p.x()), x);
                    fooled = p.success(x);
                }
                s.endStep();
                p.progress().accept((it + 1.0) / iterations);
            }
            p.progress().accept(1.0);
            return s.release(x, p.manager());
        }
    }

    /** The SPSA estimate of ∇ of the margin at x, per image, from 2·samples forward passes each. */
    private NDArray estimate(AttackProblem p, NDArray x, NDManager m) {
        Shape shape = x.getShape();
        int n = (int) shape.get(0);
        int chunk = Math.max(1, 2048 / (2 * samples)); // images per forward pass: at most ~2048 inputs at once
        NDArray[] parts = new NDArray[(n + chunk - 1) / chunk];
        long[] y = p.y().toLongArray();
        for (int c = 0; c < parts.length; c++) {
            int from = c * chunk;
            int to = Math.min(n, from + chunk);
            int rows = to - from;
            NDArray xc = x.get(from + ":" + to);
            Shape rep = new Shape(rows * samples, shape.get(1), shape.get(2), shape.get(3));
            NDArray v = m.randomUniform(-1f, 1f, rep).sign();
            NDArray base = xc.expandDims(1).broadcast(new Shape(rows, samples, shape.get(1), shape.get(2), shape.get(3))).reshape(rep);
            long[] yr = new long[rows * samples];
            for (int r = 0; r < rows; r++) {
                java.util.Arrays.fill(yr, r * samples, (r + 1) * samples, y[from + r]);
            }
            NDArray labels = m.create(yr);
            NDArray plus = margin(p, base.add(v.mul((float) DELTA)), labels, m);
            NDArray minus = margin(p, base.sub(v.mul((float) DELTA)), labels, m);
            NDArray scale = plus.sub(minus).div((float) (2 * DELTA)).reshape(rows * samples, 1, 1, 1);
            parts[c] = v.mul(scale).reshape(rows, samples, shape.get(1), shape.get(2), shape.get(3)).mean(new int[] {1});
        }
        return parts.length == 1 ? parts[0] : ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(parts), 0);
    }

    /** z_y − max_{j≠y} z_j per input, from one forward pass whose memory is freed at once. */
    private static NDArray margin(AttackProblem p, NDArray inputs, NDArray labels, NDManager m) {
        NDArray out;
        try (NDManager forward = AttackProblem.scopedForward(inputs, m)) {
            NDArray z = p.model().logits(inputs);
            out = Loss.trueLogit(z, labels).sub(Loss.maxOther(z, labels));
            out.attach(m);
        }
        return out;
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("iterations", iterations).and("samples", samples).and("delta", DELTA).and("lr", LR)
                .and("optimizer", "adam");
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.Arrays;

/**
 * Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks"), as in AutoAttack's reference implementation: step size η = 2ε, a
 * momentum step x_{k+1} = Π(x_k + α·(z_{k+1} − x_k) + (1 − α)·(x_k − x_{k−1})) with
 * z_{k+1} = Π(x_k + η·sign(∇f(x_k))) and α = 0.75, and at checkpoints (the first after 22% of the
 * iterations, then ever closer: −3% each, at least 6%) η is halved and the iterate reset to the best point
 * for every image whose loss rose in fewer than ρ = 75% of the steps since the last checkpoint, or whose
 * best loss did not improve while η was not just reduced. Each image keeps its first fooling iterate, else
 * its highest-loss one. Restarts are {@link Restarts}. Under L1 it is {@link APGDL1}.
 */
public final class APGD implements Attack {
    private static final double RHO = 0.75;
    private static final float MOMENTUM = 0.75f;

    private final int iterations;
    private final Loss loss;
    private final String name;

    /**
     * @param loss     the loss APGD maximizes, whatever the problem's: {@link Loss#CE} or {@link Loss#DLR}
     * @param lossName its name in the attack's ("ce" gives "apgd-ce")
     */
    public APGD(int iterations, Loss loss, String lossName) {
        if (iterations < 2) {
            throw UserError.invalid("steps", "APGD needs at least 2 iterations, got " + iterations);
        }
        this.iterations = iterations;
        this.loss = loss;
        this.name = "apgd-" + lossName;
    }

    @Override
    public String name() {
        return name;
    }

    /** Per-image bookkeeping of one run; the arrays are kept across steps in the run's scope. */
    private static final class Run {
        NDArray x;
        NDArray xOld;
        NDArray grad;
        NDArray xBest;       // highest loss so far
        NDArray gradBest;    // the gradient there
        NDArray xFooling;    // first fooling iterate
        float[] lossBest;
        boolean[] fooled;
    }

    @Override
    public NDArray run(AttackProblem problem) {
        if (problem.threat().norm() == Norm.L1) {
            return new APGDL1(iterations).run(problem.withLoss(loss)); // sparse steps, its own schedule
        }
        AttackProblem p = problem.withLoss(loss);
        ThreatModel tm = p.threat();
        int n = (int) p.x().getShape().get(0);
        int k = Math.max((int) (0.22 * iterations), 1);
        int kMin = Math.max((int) (0.06 * iterations), 1);
        int kDecrease = Math.max((int) (0.03 * iterations), 1);
        float[][] lossSteps = new float[iterations][n];
        float[] eta = new float[n];
        Arrays.fill(eta, (float) (2 * tm.eps()));
        boolean[] reducedLastCheck = new boolean[n];
        Arrays.fill(reducedLastCheck, true);
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            Run r = new Run();
            try (NDManager step = s.openStep()) {
                r.x = s.keep(tm.randomOnBoundary(p.x()), null);
                Gradients.ValueAndGradient e = p.evaluate(r.x, step);
                r.grad = s.keep(e.gradient(), null);
                r.gradBest = s.keep(r.grad.duplicate(), null);
                r.xBest = s.keep(r.x.duplicate(), null);
                r.xFooling = s.keep(r.x.duplicate(), null);
                r.xOld = s.keep(r.x.duplicate(), null);
                r.lossBest = e.value().toFloatArray();
                r.fooled = p.fooled(e.logits());
            }
            s.endStep();
            float[] lossBestLastCheck = r.lossBest.clone();
            int sinceCheck = 0;
            for (int i = 0; i < iterations && tm.eps() > 0; i++) {
                try (NDManager step = s.openStep()) {
                    float a = i > 0 ? MOMENTUM : 1f;
                    NDArray z = tm.project(r.x.add(tm.step(r.grad, 1).mul(step.create(eta).reshape(n, 1, 1, 1))), p.x());
                    NDArray next = tm.project(r.x.add(z.sub(r.x).mul(a)).add(r.x.sub(r.xOld).mul(1 - a)), p.x());
                    r.xOld = s.keep(r.x, r.xOld);
                    r.x = s.keep(next, null);

                    Gradients.ValueAndGradient e = p.evaluate(r.x, step);
                    r.grad = s.keep(e.gradient(), r.grad);
                    lossSteps[i] = e.value().toFloatArray();
                    boolean[] fooledNow = p.fooled(e.logits());
                    float[] newlyFooled = new float[n];
                    float[] improved = new float[n];
                    for (int j = 0; j < n; j++) {
                        if (fooledNow[j] && !r.fooled[j]) {
                            newlyFooled[j] = 1;
                            r.fooled[j] = true;
                        }
                        if (lossSteps[i][j] > r.lossBest[j]) {
                            improved[j] = 1;
                            r.lossBest[j] = lossSteps[i][j];
                        }
                    }
                    r.xFooling = s.keep(Masks.where(step, newlyFooled, r.x, r.xFooling), r.xFooling);
                    r.xBest = s.keep(Masks.where(step, improved, r.x, r.xBest), r.xBest);
                    r.gradBest = s.keep(Masks.where(step, improved, r.grad, r.gradBest), r.gradBest);

                    if (++sinceCheck == k) {
                        float[] halve = new float[n];
                        for (int j = 0; j < n; j++) {
                            int increases = 0;
                            for (int c = 0; c < k; c++) {
                                int prev = i - c - 1;
                                // before the first iteration the reference code compares with a row not yet written (zeros)
                                if (lossSteps[i - c][j] > (prev >= 0 ? lossSteps[prev][j] : 0f)) {
                                    increases++;
                                }
                            }
                            boolean oscillating = increases <= k * RHO;
                            boolean noImprovement = !reducedLastCheck[j] && lossBestLastCheck[j] >= r.lossBest[j];
                            reducedLastCheck[j] = oscillating || noImprovement;
                            if (reducedLastCheck[j]) {
                                halve[j] = 1;
                                eta[j] /= 2;
                            }
                        }
                        lossBestLastCheck = r.lossBest.clone();
                        if (Masks.any(halve)) { // restart those images from their best point and its gradient
                            r.x = s.keep(Masks.where(step, halve, r.xBest, r.x), r.x);
                            r.grad = s.keep(Masks.where(step, halve, r.gradBest, r.grad), r.grad);
                        }
                        sinceCheck = 0;
                        k = Math.max(k - kDecrease, kMin);
                    }
                }
                s.endStep();
                p.progress().accept((i + 1.0) / iterations);
            }
            // a fooling point beats any other; else the highest loss seen
            NDArray result;
            try (NDManager step = s.openStep()) {
                float[] fooledMask = new float[n];
                for (int j = 0; j < n; j++) {
                    fooledMask[j] = r.fooled[j] ? 1 : 0;
                }
                result = s.keep(Masks.where(step, fooledMask, r.xFooling, r.xBest), null);
            }
            s.endStep();
            return s.release(result, p.manager());
        }
    }

    @Override
    public Params params() {
        return Params.of("attack", name).and("n_iter", iterations).and("rho", RHO).and("alpha_momentum", MOMENTUM)
                .and("initial_step", "2*eps");
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.UserError;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of
 * diverse parameter-free attacks"), as in AutoAttack's reference implementation: step size η = 2ε, a
 * momentum step x_{k+1} = Π(x_k + α·(z_{k+1} − x_k) + (1 − α)·(x_k − x_{k−1})) with
 * z_{k+1} = Π(x_k + η·sign(∇f(x_k))) and α = 0.75, and at checkpoints (the first after 22% of the
 * iterations, then ever closer: −3% each, at least 6%) η is halved and the iterate reset to the best point
 * for every image whose loss rose in fewer than ρ = 75% of the steps since the last checkpoint, or whose
 * best loss did not improve while η was not just reduced. Each image keeps its first fooling iterate, else
 * its highest-loss one; restarts rerun from new random starts for images not yet fooled.
 */
public final class APGD implements Attack {
    private static final double RHO = 0.75;

    private final int iterations;
    private final int restarts;
    private final Loss loss;
    private final String name;

    /** @param loss {@link Loss#CE} (APGD-CE) or {@link Loss#DLR} (APGD-DLR) */
    public APGD(int iterations, int restarts, Loss loss, String name) {
        if (iterations < 2 || restarts < 1) {
            throw new UserError("APGD needs at least 2 iterations and 1 restart");
        }
        this.iterations = iterations;
        this.restarts = restarts;
        this.loss = loss;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NDArray run(AttackProblem p0) {
        if (p0.threat().norm() == Norm.L1) {
            throw new UserError(name + " supports the linf and l2 norms");
        }
        AttackProblem p = p0.withLoss(loss);
        int n = (int) p.x().getShape().get(0);
        boolean[] fooled = new boolean[n];
        float[] bestLossAll = new float[n];
        java.util.Arrays.fill(bestLossAll, Float.NEGATIVE_INFINITY);
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            NDArray result;
            try (NDManager step = s.openStep()) {
                result = s.keep(p.x().duplicate(), null);
            }
            s.endStep();
            for (int r = 0; r < restarts; r++) {
                if (r > 0 && allTrue(fooled)) {
                    break;
                }
                result = singleRun(p, s, result, fooled, bestLossAll);
            }
            return s.release(result, p.manager());
        }
    }

    /** One run from a random start; merges into {@code result} per image and returns the new result. */
    private NDArray singleRun(AttackProblem p, AttackScope s, NDArray result, boolean[] fooledAll, float[] bestLossAll) {
        ThreatModel tm = p.threat();
        int n = fooledAll.length;
        int k = Math.max((int) (0.22 * iterations), 1);
        int kMin = Math.max((int) (0.06 * iterations), 1);
        int kDecrease = Math.max((int) (0.03 * iterations), 1);
        float[][] lossSteps = new float[iterations][n];
        float[] stepSize = new float[n];
        java.util.Arrays.fill(stepSize, (float) (2 * tm.eps()));
        boolean[] reducedLastCheck = new boolean[n];
        java.util.Arrays.fill(reducedLastCheck, true);
        boolean[] fooledRun = new boolean[n];

        NDArray xAdv;
        NDArray xOld;
        NDArray xBest;
        NDArray xBestAdv;
        NDArray grad;
        NDArray gradBest;
        float[] lossBest;
        try (NDManager step = s.openStep()) {
            xAdv = s.keep(randomStart(p), null);
            Gradients.ValueAndGradient e = p.evaluate(xAdv, step);
            grad = s.keep(e.gradient(), null);
            gradBest = s.keep(grad.duplicate(), null);
            xBest = s.keep(xAdv.duplicate(), null);
            xBestAdv = s.keep(xAdv.duplicate(), null);
            xOld = s.keep(xAdv.duplicate(), null);
            lossBest = e.value().toFloatArray();
            boolean[] f = p.fooled(e.logits());
            System.arraycopy(f, 0, fooledRun, 0, n);
        }
        s.endStep();
        float[] lossBestLastCheck = lossBest.clone();
        int sinceCheck = 0;
        for (int i = 0; i < iterations; i++) {
            try (NDManager step = s.openStep()) {
                NDArray eta = step.create(stepSize).reshape(n, 1, 1, 1);
                NDArray momentumTerm = xAdv.sub(xOld);
                float a = i > 0 ? 0.75f : 1f;
                NDArray z = tm.project(xAdv.add(ascent(tm, grad).mul(eta)), p.x());
                NDArray next = tm.project(xAdv.add(z.sub(xAdv).mul(a)).add(momentumTerm.mul(1 - a)), p.x());
                xOld = s.keep(xAdv, xOld);
                xAdv = s.keep(next, null);

                Gradients.ValueAndGradient e = p.evaluate(xAdv, step);
                grad = s.keep(e.gradient(), grad);
                float[] lossNow = e.value().toFloatArray();
                boolean[] fooledNow = p.fooled(e.logits());
                lossSteps[i] = lossNow;
                float[] newlyFooled = new float[n];
                float[] improved = new float[n];
                for (int j = 0; j < n; j++) {
                    if (fooledNow[j] && !fooledRun[j]) {
                        newlyFooled[j] = 1;
                        fooledRun[j] = true;
                    }
                    if (lossNow[j] > lossBest[j]) {
                        improved[j] = 1;
                        lossBest[j] = lossNow[j];
                    }
                }
                xBestAdv = s.keep(blend(step, newlyFooled, xAdv, xBestAdv), xBestAdv);
                xBest = s.keep(blend(step, improved, xAdv, xBest), xBest);
                gradBest = s.keep(blend(step, improved, grad, gradBest), gradBest);

                if (++sinceCheck == k) {
                    float[] halve = new float[n];
                    for (int j = 0; j < n; j++) {
                        int increases = 0;
                        for (int c = 0; c < k; c++) {
                            int prev = i - c - 1;
                            // before the first iteration the reference code compares with a row not yet written (zeros)
                            float before = prev >= 0 ? lossSteps[prev][j] : 0f;
                            if (lossSteps[i - c][j] > before) {
                                increases++;
                            }
                        }
                        boolean oscillating = increases <= k * RHO;
                        boolean noImprovement = !reducedLastCheck[j] && lossBestLastCheck[j] >= lossBest[j];
                        reducedLastCheck[j] = oscillating || noImprovement;
                        if (reducedLastCheck[j]) {
                            halve[j] = 1;
                            stepSize[j] /= 2;
                        }
                    }
                    lossBestLastCheck = lossBest.clone();
                    if (sum(halve) > 0) { // restart those images from their best point and its gradient
                        xAdv = s.keep(blend(step, halve, xBest, xAdv), xAdv);
                        grad = s.keep(blend(step, halve, gradBest, grad), grad);
                    }
                    sinceCheck = 0;
                    k = Math.max(k - kDecrease, kMin);
                }
            }
            s.endStep();
        }
        // merge into the result: a fooling point beats any other; else the highest loss seen
        NDArray merged;
        try (NDManager step = s.openStep()) {
            float[] take = new float[n];
            float[] takeBest = new float[n];
            for (int j = 0; j < n; j++) {
                if (!fooledAll[j] && fooledRun[j]) {
                    take[j] = 1;
                    fooledAll[j] = true;
                } else if (!fooledAll[j] && lossBest[j] > bestLossAll[j]) {
                    takeBest[j] = 1;
                    bestLossAll[j] = lossBest[j];
                }
            }
            NDArray m = blend(step, take, xBestAdv, result);
            merged = s.keep(blend(step, takeBest, xBest, m), result);
        }
        for (NDArray a : new NDArray[] {xAdv, xOld, xBest, xBestAdv, grad, gradBest}) {
            s.retire(a);
        }
        s.endStep();
        return merged;
    }

    /** AutoAttack's random start: ε times a random direction normalized in the attack's norm. */
    private static NDArray randomStart(AttackProblem p) {
        NDArray x = p.x();
        ThreatModel tm = p.threat();
        NDArray t = tm.norm() == Norm.LINF ? x.getManager().randomUniform(-1f, 1f, x.getShape()) : x.getManager().randomNormal(x.getShape());
        NDArray dir = t.div(new ThreatModel(tm.norm(), 1).perImageNorm(t).add(1e-12f));
        return x.add(dir.mul(tm.eps())).clip(0, 1);
    }

    /** sign(g) for L∞, g/‖g‖₂ for L2. */
    private static NDArray ascent(ThreatModel tm, NDArray g) {
        return tm.norm() == Norm.LINF ? g.sign() : g.div(new ThreatModel(Norm.L2, 1).perImageNorm(g).add(1e-12f));
    }

    /** Per image: {@code a} where mask is 1, else {@code b}. */
    private static NDArray blend(NDManager m, float[] mask, NDArray a, NDArray b) {
        NDArray w = m.create(mask).reshape(mask.length, 1, 1, 1);
        return a.mul(w).add(b.mul(w.neg().add(1f)));
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean v : b) {
            if (!v) {
                return false;
            }
        }
        return true;
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    @Override
    public Map<String, Object> config() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attack", name);
        m.put("n_iter", iterations);
        m.put("n_restarts", restarts);
        m.put("rho", RHO);
        m.put("alpha_momentum", 0.75);
        m.put("initial_step", "2*eps");
        return m;
    }
}

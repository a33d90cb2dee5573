package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.Params;
import io.advkit.util.UserError;

import java.util.Arrays;

/**
 * Carlini and Wagner's L2 attack (2017): in tanh space, x' = (tanh w + 1)/2 (so x' is always a valid image),
 * minimize ‖x' − x‖₂² + c·max(z_y − max_{j≠y} z_j, −κ) with Adam (lr 0.01), κ = 0; a binary search over c per image
 * (from 10⁻³, ×10 while nothing is found) keeps the smallest adversarial x' seen. The gradient in w is the chain rule
 * by hand: ∇_x'·(1 − tanh² w)/2, with ∇_x' = 2(x' − x) + c·∇margin where the margin is above −κ.
 */
public final class CarliniWagnerL2 implements Attack, MinimalNorm {
    private static final double LR = 0.01;
    private static final double INITIAL_CONST = 1e-3;
    private static final double KAPPA = 0;

    private final int steps;
    private final int searches;

    public CarliniWagnerL2(int steps, int searches) {
        if (steps < 1 || searches < 1) {
            throw UserError.invalid("steps", "CW-L2 needs at least 1 step and 1 binary-search round, got " + steps + " and " + searches);
        }
        this.steps = steps;
        this.searches = searches;
    }

    @Override
    public String name() {
        return "cw-l2";
    }

    @Override
    public NDArray run(AttackProblem p) {
        return MinimalNorm.withinBudget(p, minimal(p));
    }

    @Override
    public Result minimal(AttackProblem p) {
        if (p.threat().norm() != Norm.L2) {
            throw UserError.invalid("norm", "cw-l2 minimizes the L2 norm only");
        }
        if (p.targeted()) {
            throw UserError.invalid("target", "cw-l2 runs untargeted");
        }
        Shape shape = p.x().getShape();
        int n = (int) shape.get(0);
        int dim = (int) (shape.size() / n);
        float[][] clean = MinimalNorm.images(p.x());
        float[][] best = MinimalNorm.images(p.x());
        double[] bestSq = new double[n];
        Arrays.fill(bestSq, Double.POSITIVE_INFINITY);
        boolean[] found = new boolean[n];
        double[] c = new double[n];
        double[] lower = new double[n];
        double[] upper = new double[n];
        Arrays.fill(c, INITIAL_CONST);
        Arrays.fill(upper, Double.POSITIVE_INFINITY);
        int total = searches * steps;
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            NDArray w0;
            try (NDManager step = s.openStep()) {
                NDArray t = p.x().mul(2f).sub(1f).mul(0.999999f); // kept off ±1, where atanh is infinite
                w0 = s.keep(t.add(1f).div(t.neg().add(1f)).log().div(2f), null); // atanh t
            }
            s.endStep();
            for (int round = 0; round < searches; round++) {
                boolean[] foundNow = new boolean[n];
                NDArray w;
                AdamMoments adam = new AdamMoments(p.manager(), shape);
                try (NDManager step = s.openStep()) {
                    w = s.keep(w0.duplicate(), null);
                }
                s.endStep();
                float[] cs = new float[n];
                for (int j = 0; j < n; j++) {
                    cs[j] = (float) c[j];
                }
                for (int it = 0; it < steps; it++) {
                    try (NDManager step = s.openStep()) {
                        NDArray xa = w.tanh().add(1f).div(2f);
                        Gradients.ValueAndGradient vg = Gradients.of(xi -> {
                            NDArray z = p.model().logits(xi);
                            return Loss.trueLogit(z, p.y()).sub(Loss.maxOther(z, p.y()));
                        }, xa, step);
                        float[] margin = vg.value().toFloatArray();
                        float[] pts = xa.toFloatArray();
                        float[] active = new float[n]; // c where the margin term is not clamped at −κ, else 0
                        for (int j = 0; j < n; j++) {
                            double sq = 0;
                            for (int k = 0; k < dim; k++) {
                                double d = pts[j * dim + k] - clean[j][k];
                                sq += d * d;
                            }
                            if (margin[j] < 0) {
                                foundNow[j] = true;
                                if (sq < bestSq[j]) {
                                    bestSq[j] = sq;
                                    best[j] = Arrays.copyOfRange(pts, j * dim, (j + 1) * dim);
                                    found[j] = true;
                                }
                            }
                            active[j] = margin[j] > -KAPPA ? cs[j] : 0;
                        }
                        NDArray cArr = step.create(active, Norm.broadcastShape(xa));
                        NDArray gx = xa.sub(p.x()).mul(2f).add(vg.gradient().mul(cArr));
                        NDArray g = gx.mul(xa.mul(2f).sub(1f).square().neg().add(1f).div(2f)); // dx'/dw = (1 − tanh²w)/2
                        w = s.keep(w.sub(adam.direction(g).mul((float) LR)), w);
                    }
                    s.endStep();
                    p.progress().accept((round * steps + it + 1.0) / total);
                }
                for (int j = 0; j < n; j++) { // the binary search on c
                    if (foundNow[j]) {
                        upper[j] = Math.min(upper[j], c[j]);
                    } else {
                        lower[j] = Math.max(lower[j], c[j]);
                    }
                    c[j] = upper[j] < Double.POSITIVE_INFINITY ? (lower[j] + upper[j]) / 2 : c[j] * 10;
                }
                s.retire(w);
                adam.close();
                s.endStep();
            }
        }
        return MinimalNorm.Result.of(p, Norm.L2, clean, best, found);
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("steps", steps).and("binary_search_steps", searches).and("stepsize", LR)
                .and("initial_const", INITIAL_CONST).and("confidence", KAPPA);
    }
}

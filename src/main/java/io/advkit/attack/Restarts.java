package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * Runs an attack several times (each run draws its own random start) and keeps, per image, the best result:
 * a point that fools the model beats one that does not, then the higher loss wins. Like AutoAttack, later runs
 * attack only the images still unfooled, and stop once every image is fooled. A wrapper, so any attack gets
 * restarts the same way.
 */
public final class Restarts implements Attack {
    private final Attack inner;
    private final int restarts;

    private Restarts(Attack inner, int restarts) {
        this.inner = inner;
        this.restarts = restarts;
    }

    /** {@code inner} run {@code restarts} times (itself when once). */
    public static Attack of(Attack inner, int restarts) {
        if (restarts < 1) {
            throw UserError.invalid("restarts", "restarts must be at least 1, got " + restarts);
        }
        return restarts == 1 ? inner : new Restarts(inner, restarts);
    }

    @Override
    public boolean scoresOnly() {
        return inner.scoresOnly();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public NDArray run(AttackProblem p) {
        int n = (int) p.x().getShape().get(0);
        float[] bestLoss = new float[n];
        java.util.Arrays.fill(bestLoss, Float.NEGATIVE_INFINITY);
        boolean[] bestFooled = new boolean[n];
        NDArray best = null;
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            for (int r = 0; r < restarts; r++) {
                int[] rows = Rows.remaining(bestFooled);
                if (rows.length == 0) {
                    break;
                }
                int round = r;
                try (NDManager step = s.openStep()) {
                    AttackProblem sub = Rows.select(p, rows, step).withProgress(f -> p.progress().accept((round + f) / restarts));
                    NDArray adv = inner.run(sub);
                    float[] loss = sub.objective().value(adv).toFloatArray();
                    boolean[] fooled = sub.success(adv);
                    float[] take = new float[n];
                    for (int k = 0; k < rows.length; k++) {
                        int i = rows[k];
                        if ((fooled[k] && !bestFooled[i]) || (fooled[k] == bestFooled[i] && loss[k] > bestLoss[i])) {
                            take[i] = 1;
                            bestLoss[i] = loss[k];
                            bestFooled[i] = fooled[k];
                        }
                    }
                    NDArray candidate = Rows.put(best == null ? p.x() : best, rows, adv);
                    best = s.keep(best == null ? candidate : Masks.where(step, take, candidate, best), best);
                }
                s.endStep();
            }
            p.progress().accept(1.0);
            return s.release(best, p.manager());
        }
    }

    @Override
    public Params params() {
        return inner.params().and("restarts", restarts);
    }
}

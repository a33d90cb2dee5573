package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * Runs an attack several times (each run draws its own random start) and keeps, per image, the best result:
 * a point that fools the model beats one that does not, then the higher loss wins. Stops early once every
 * image is fooled, as AutoAttack does. A wrapper, so any attack gets restarts the same way.
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
    public String name() {
        return inner.name();
    }

    @Override
    public NDArray run(AttackProblem p) {
        NDArray best = null;
        float[] bestLoss = null;
        boolean[] bestFooled = null;
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            for (int r = 0; r < restarts && (bestFooled == null || !Masks.all(bestFooled)); r++) {
                int round = r;
                NDArray adv = inner.run(p.withProgress(f -> p.progress().accept((round + f) / restarts)));
                try (NDManager step = s.openStep()) {
                    adv = s.keep(adv, null);
                    float[] loss = p.objective().value(adv).toFloatArray();
                    boolean[] fooled = p.success(adv);
                    if (best == null) {
                        best = adv;
                        bestLoss = loss;
                        bestFooled = fooled;
                        continue;
                    }
                    float[] take = new float[loss.length];
                    for (int i = 0; i < loss.length; i++) {
                        if ((fooled[i] && !bestFooled[i]) || (fooled[i] == bestFooled[i] && loss[i] > bestLoss[i])) {
                            take[i] = 1;
                            bestLoss[i] = loss[i];
                            bestFooled[i] = fooled[i];
                        }
                    }
                    NDArray merged = Masks.where(step, take, adv, best);
                    s.retire(adv);
                    best = s.keep(merged, best);
                } finally {
                    s.endStep();
                }
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

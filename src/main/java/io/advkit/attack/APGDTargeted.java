package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.util.Params;
import io.advkit.util.UserError;

/**
 * APGD-T (Croce and Hein 2020): {@link APGD} on the targeted DLR loss, once per target class, the class with the
 * k-th highest clean logit for k = 2 … targets + 1 (AutoAttack's standard: 9 targets, 100 iterations each), each
 * run on the images no earlier target fooled. As in AutoAttack, success is any wrong class; the target only
 * steers the loss, −(z_y − z_t)/(z_π1 − (z_π3 + z_π4)/2).
 */
public final class APGDTargeted implements Attack {
    private final int iterations;
    private final int targets;

    public APGDTargeted(int iterations, int targets) {
        if (targets < 1) {
            throw UserError.invalid("targets", "APGD-T needs at least 1 target class, got " + targets);
        }
        this.iterations = iterations;
        this.targets = targets;
        new APGD(iterations, Loss.CE, "t"); // the same checks on the iterations
    }

    @Override
    public String name() {
        return "apgd-t";
    }

    @Override
    public NDArray run(AttackProblem p) {
        if (p.targeted()) {
            throw UserError.invalid("target", "apgd-t picks its own targets; run it untargeted");
        }
        int n = (int) p.x().getShape().get(0);
        int classes = p.model().numClasses();
        if (classes < Math.max(targets + 1, 4)) { // the targeted DLR loss reads the 4th-largest logit
            throw UserError.invalid("targets", "apgd-t with " + targets + " targets needs at least " + Math.max(targets + 1, 4)
                    + " classes; the model has " + classes);
        }
        long[][] order = p.classesByCleanLogit(); // per image, classes by decreasing clean logit
        boolean[] fooled = new boolean[n];
        try (AttackScope s = new AttackScope(p.manager(), p.x(), p.y(), p.goal())) {
            NDArray result;
            try (NDManager step = s.openStep()) {
                result = s.keep(p.x().duplicate(), null);
            }
            s.endStep();
            for (int k = 0; k < targets; k++) {
                int[] rows = Rows.remaining(fooled);
                if (rows.length == 0) {
                    break;
                }
                int round = k;
                try (NDManager step = s.openStep()) {
                    long[] t = new long[rows.length];
                    for (int r = 0; r < rows.length; r++) {
                        t[r] = order[rows[r]][k + 1]; // the (k+2)-th highest: the first target is the runner-up
                    }
                    NDArray target = step.create(t);
                    AttackProblem sub = Rows.select(p, rows, step).withProgress(f -> p.progress().accept((round + f) / targets));
                    Loss towardTarget = (z, y) -> Loss.dlrTargeted(y).perExample(z, target);
                    NDArray adv = new APGD(iterations, towardTarget, "t").run(sub);
                    boolean[] success = sub.success(adv);
                    float[] take = new float[n];
                    for (int r = 0; r < rows.length; r++) {
                        if (success[r]) {
                            fooled[rows[r]] = true;
                            take[rows[r]] = 1;
                        }
                    }
                    result = s.keep(Masks.where(step, take, Rows.put(result, rows, adv), result), result);
                }
                s.endStep();
            }
            p.progress().accept(1.0);
            return s.release(result, p.manager());
        }
    }

    /** The order of the targets tried for each image (for tests and records). */
    static long[][] targetOrder(AttackProblem p, int targets) {
        long[][] order = p.classesByCleanLogit();
        long[][] out = new long[order.length][];
        for (int i = 0; i < order.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(order[i], 1, targets + 1);
        }
        return out;
    }

    @Override
    public Params params() {
        return Params.of("attack", name()).and("n_iter", iterations).and("n_target_classes", targets).and("loss", "dlr-targeted")
                .and("rho", 0.75).and("initial_step", "2*eps");
    }
}

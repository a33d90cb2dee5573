package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.model.Classifier;

import java.util.Random;
import java.util.function.DoubleConsumer;

/**
 * One batch to attack: the model, clean images and true labels, the labels the loss aims at (the true
 * ones, or targets), the loss, the threat model (ε comes with the problem, never with the attack), the
 * randomness, the manager the result belongs to, and where to report how far the attack has got.
 *
 * @param goal     labels the loss is evaluated against: the true labels (untargeted) or the targets
 * @param progress told the fraction of this problem's work done so far (0..1), for progress bars
 */
public record AttackProblem(Classifier model, NDArray x, NDArray y, NDArray goal, boolean targeted, Loss loss,
                            ThreatModel threat, Random rng, NDManager manager, DoubleConsumer progress) {
    public AttackProblem {
        threat.requireFits(x.getShape());
    }

    /** An untargeted problem with no progress reporting. */
    public static AttackProblem untargeted(Classifier model, NDArray x, NDArray y, Loss loss, ThreatModel threat, Random rng,
                                           NDManager manager) {
        return new AttackProblem(model, x, y, y, false, loss, threat, rng, manager, f -> { });
    }

    /** The loss as the attack maximizes it: rising away from y, or (targeted) toward the goal. */
    public Loss ascentLoss() {
        if (!targeted) {
            return loss;
        }
        if (loss == Loss.CE) {
            return Loss.CE_TARGETED;
        }
        if (loss == Loss.CW) {
            return Loss.CW_TARGETED;
        }
        if (loss == Loss.DLR) {
            return Loss.dlrTargeted(y);
        }
        return loss;
    }

    public Objective objective() {
        return objectiveOf(model);
    }

    /** The same loss and goal on another model: one member of the ensemble, for attacks that take them one at a time. */
    public Objective objectiveOf(Classifier member) {
        Loss l = ascentLoss();
        var f = member.objective(z -> l.perExample(z, goal));
        return f::apply;
    }

    /**
     * Objective value, input gradient and the model's logits at x, from one forward and backward pass
     * where the model allows it (else a second forward for the logits).
     */
    public Gradients.ValueAndGradient evaluate(NDArray x, NDManager manager) {
        Loss l = ascentLoss();
        if (model.objectiveIsLossOfLogits() && model.gradientSamples() == 1) {
            return Gradients.withLogits(model::logits, z -> l.perExample(z, goal), x, manager);
        }
        Gradients.ValueAndGradient r = Gradients.averaged(objective(), x, manager, model.gradientSamples());
        NDArray logits;
        try (NDManager forward = scopedForward(x, manager)) {
            logits = model.logits(x);
            logits.attach(manager);
        }
        return new Gradients.ValueAndGradient(r.value(), r.gradient(), logits);
    }

    /**
     * A manager for one forward pass at x: DJL puts a forward's activations in its input's manager, which may
     * live for a whole attack or audit batch; with x attached here (until the returned manager closes) they are
     * freed as soon as the pass is over.
     */
    public static NDManager scopedForward(NDArray x, NDManager parent) {
        NDManager forward = parent.newSubManager();
        x.tempAttach(forward);
        return forward;
    }

    /** The model's predicted classes at x, with the forward pass's memory freed at once. */
    public static long[] predict(Classifier model, NDArray x) {
        try (NDManager forward = scopedForward(x, x.getManager())) {
            return model.logits(x).argMax(1).toLongArray();
        }
    }

    /** Each image's classes by decreasing clean logit (the first is the prediction): targets of APGD-T and FAB-T. */
    public long[][] classesByCleanLogit() {
        int n = (int) x.getShape().get(0);
        long[][] order = new long[n][];
        try (NDManager forward = scopedForward(x, manager)) {
            NDArray sorted = model.logits(x).argSort(1, false);
            long[] flat = sorted.toLongArray();
            int k = (int) sorted.getShape().get(1);
            for (int i = 0; i < n; i++) {
                order[i] = java.util.Arrays.copyOfRange(flat, i * k, (i + 1) * k);
            }
        }
        return order;
    }

    /** Per image, from logits: does the prediction fool the model (wrong class, or the goal class when targeted)? */
    public boolean[] fooled(NDArray logits) {
        return fooled(logits.argMax(1).toLongArray());
    }

    private boolean[] fooled(long[] pred) {
        long[] want = (targeted ? goal : y).toLongArray();
        boolean[] out = new boolean[pred.length];
        for (int i = 0; i < pred.length; i++) {
            out[i] = targeted ? pred[i] == want[i] : pred[i] != want[i];
        }
        return out;
    }

    /** The same problem with another loss (APGD-DLR). */
    public AttackProblem withLoss(Loss other) {
        return new AttackProblem(model, x, y, goal, targeted, other, threat, rng, manager, progress);
    }

    /** The same problem reporting its progress to {@code p}. */
    public AttackProblem withProgress(DoubleConsumer p) {
        return new AttackProblem(model, x, y, goal, targeted, loss, threat, rng, manager, p);
    }

    /** Per image: does xAdv fool the model (untargeted: any wrong class; targeted: the goal class)? */
    public boolean[] success(NDArray xAdv) {
        return fooled(predict(model, xAdv));
    }
}

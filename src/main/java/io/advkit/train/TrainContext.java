package io.advkit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.advkit.attack.AttackProblem;
import io.advkit.attack.GradientPipeline;
import io.advkit.attack.Gradients;
import io.advkit.attack.Loss;
import io.advkit.attack.Objective;
import io.advkit.attack.PGD;
import io.advkit.attack.StepSize;
import io.advkit.attack.ThreatModel;
import io.advkit.model.Classifier;
import io.advkit.model.ZooModel;
import io.advkit.util.Scalars;

import java.util.Random;
import java.util.function.Supplier;

/**
 * What a training method works with for one batch: the model (in training or inference mode), the
 * optimizer step, the threat model, randomness, and the batch's native-memory manager. Methods report
 * the loss and the logits their update used, for the progress line and the log.
 */
public final class TrainContext {
    private final ZooModel model;
    private final Sgd sgd;
    private final double lr;
    private final double labelSmoothing;
    private final ThreatModel threat;
    private final Random rng;
    private final NDManager manager;
    private double lossSum;
    private int lossCount;
    private int correct;
    private int seen;

    TrainContext(ZooModel model, Sgd sgd, double lr, double labelSmoothing, ThreatModel threat, Random rng, NDManager manager) {
        this.model = model;
        this.sgd = sgd;
        this.lr = lr;
        this.labelSmoothing = labelSmoothing;
        this.threat = threat;
        this.rng = rng;
        this.manager = manager;
    }

    /** A context for timing a method's batches outside a training run (bench). */
    public static TrainContext forBenchmark(ZooModel model, Sgd sgd, double lr, ThreatModel threat, NDManager manager) {
        return new TrainContext(model, sgd, lr, 0, threat, new Random(0), manager);
    }

    public ThreatModel threat() {
        return threat;
    }

    public Random rng() {
        return rng;
    }

    public NDManager manager() {
        return manager;
    }

    /** Logits with BatchNorm on batch statistics (training mode). */
    public NDArray logits(NDArray x) {
        return model.logits(x, true);
    }

    /** Logits in inference mode (running statistics), as some papers generate their attacks. */
    public NDArray logitsEval(NDArray x) {
        return model.logits(x, false);
    }

    /** The model as a classifier in training or inference mode, for the attack classes. */
    public Classifier classifier(boolean trainingMode) {
        return new Classifier() {
            @Override
            public NDArray logits(NDArray x) {
                return model.logits(x, trainingMode);
            }

            @Override
            public int numClasses() {
                return model.numClasses();
            }

            @Override
            public String name() {
                return model.name();
            }
        };
    }

    /** Mean cross-entropy, with label smoothing s: (1 − s)·CE + s·mean_k(−log p_k). */
    public NDArray crossEntropy(NDArray logits, NDArray y) {
        NDArray logp = logits.logSoftmax(1);
        NDArray nll = logp.gather(y.expandDims(1), 1).squeeze(1).neg();
        if (labelSmoothing == 0) {
            return nll.mean();
        }
        return Scalars.times(nll, 1 - labelSmoothing).add(Scalars.times(logp.mean(new int[] {1}).neg(), labelSmoothing)).mean();
    }

    /** Per-example KL(p ‖ q) from logits, summed over classes: Σ p·(log p − log q). */
    public static NDArray klDivergence(NDArray logitsP, NDArray logitsQ) {
        NDArray logP = logitsP.logSoftmax(1);
        return logP.exp().mul(logP.sub(logitsQ.logSoftmax(1))).sum(new int[] {1});
    }

    /**
     * Weight gradients of the loss {@code lossFn} computes (it runs inside the gradient recording), then one
     * optimizer step. Returns the loss value.
     */
    public float backwardAndStep(Supplier<NDArray> lossFn) {
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = lossFn.get();
            gc.backward(loss);
            value = loss.getFloat();
        }
        sgd.step(lr);
        return value;
    }

    /**
     * ∇ₓ of a per-batch objective at x, with the weights frozen meanwhile (an attack's backward passes need no
     * weight gradients) and unfrozen afterwards, whatever happens.
     */
    public NDArray inputGradient(Objective f, NDArray x) {
        model.net().setTrainable(false);
        try {
            return Gradients.of(f, x, manager).gradient();
        } finally {
            model.net().setTrainable(true);
        }
    }

    /** x' = PGD-K(x) (random start, step α) against the model as {@code trainingMode} sees it, weights frozen meanwhile. */
    public NDArray pgd(InnerAttack attack, NDArray x, NDArray y, boolean trainingMode) {
        model.net().setTrainable(false);
        try {
            AttackProblem p = AttackProblem.untargeted(classifier(trainingMode), x, y, Loss.CE, threat, rng, manager);
            return new PGD(attack.steps(), StepSize.absolute(attack.alpha()), GradientPipeline.PLAIN).run(p);
        } finally {
            model.net().setTrainable(true);
        }
    }

    public Sgd sgd() {
        return sgd;
    }

    public double lr() {
        return lr;
    }

    /** Records the loss and the logits (and labels) the update was computed on. */
    public void report(float loss, NDArray logits, NDArray y) {
        lossSum += loss;
        lossCount++;
        long[] pred = logits.argMax(1).toLongArray();
        long[] truth = y.toLongArray();
        for (int i = 0; i < pred.length; i++) {
            correct += pred[i] == truth[i] ? 1 : 0;
        }
        seen += pred.length;
    }

    double meanLoss() {
        return lossCount == 0 ? Double.NaN : lossSum / lossCount;
    }

    int correct() {
        return correct;
    }

    int seen() {
        return seen;
    }
}

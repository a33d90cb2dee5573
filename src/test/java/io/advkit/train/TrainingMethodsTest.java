package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What makes each training method itself, on a tiny model and batch (seconds each). */
class TrainingMethodsTest {
    private static final ThreatModel EPS8 = new ThreatModel(Norm.LINF, 8 / 255.0);
    private ZooModel model;
    private NDManager m;
    private Sgd sgd;

    @BeforeEach
    void setUp() {
        model = ZooModel.create("t", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 1);
        model.net().setTrainable(true);
        m = NDManager.newBaseManager();
        sgd = Sgd.forModel(model, 0.9, 5e-4, false, m);
        Engine.getInstance().setRandomSeed(3);
    }

    @AfterEach
    void tearDown() {
        m.close();
        model.close();
    }

    private TrainContext ctx() {
        return new TrainContext(model, sgd, 0.01, 0, EPS8, new Random(1), m);
    }

    private NDArray images() {
        return m.randomUniform(0, 1, new Shape(8, 3, 32, 32));
    }

    private NDArray labels() {
        return m.create(new long[] {0, 1, 2, 3, 4, 5, 6, 7});
    }

    @Test
    void freeReplaysEachBatchMTimesWithACarriedPerturbation() {
        FreeTraining free = new FreeTraining(3);
        TrainContext c = ctx();
        free.trainBatch(c, images(), labels());
        assertThat(sgd.steps()).isEqualTo(3); // one optimizer step per replay
        assertThat(c.seen()).isEqualTo(3 * 8);
        float[] delta1 = free.state().get("delta").toFloatArray();
        float max = 0;
        for (float d : delta1) {
            max = Math.max(max, Math.abs(d));
        }
        assertThat(max).isGreaterThan(0f).isLessThanOrEqualTo((float) EPS8.eps() + 1e-6f); // moved, within ε
        // after three replays of steps ε from zero the perturbation sits on the box's faces or inside
        free.trainBatch(ctx(), images(), labels());
        float[] delta2 = free.state().get("delta").toFloatArray();
        assertThat(delta2).isNotEqualTo(delta1); // carried to the next batch and moved again
        assertThat(sgd.steps()).isEqualTo(6);
    }

    @Test
    void tradesRobustTermVanishesWhenCleanAndAdversarialOutputsCoincide() {
        TradesTraining trades = new TradesTraining(new InnerAttack(2, 2 / 255.0), 6);
        NDArray logits = m.randomNormal(new Shape(8, 10)).mul(3f);
        NDArray y = labels();
        float withSame = trades.loss(ctx(), logits, logits, y).getFloat();
        float ce = ctx().crossEntropy(logits, y).getFloat();
        assertThat(withSame).isCloseTo(ce, within(1e-5f));
        float withOther = trades.loss(ctx(), logits, logits.add(m.randomNormal(new Shape(8, 10))), y).getFloat();
        assertThat(withOther).isGreaterThan(ce + 1e-3f);
    }

    @Test
    void fastFgsmStartsInsideTheBallAndEndsInsideIt() {
        NDArray x = images();
        NDArray start = new FastFgsmTraining(1.25).start(ctx(), x);
        assertThat(start.sub(x).abs().max().getFloat()).isLessThanOrEqualTo((float) EPS8.eps() + 1e-6f);
        assertThat(start.sub(x).abs().mean().getFloat()).isGreaterThan((float) EPS8.eps() / 4); // a real random start
        assertThat(start.min().getFloat()).isGreaterThanOrEqualTo(0f);
        NDArray adv = new FastFgsmTraining(1.25).adversarial(ctx(), x, labels());
        assertThat(adv.sub(x).abs().max().getFloat()).isLessThanOrEqualTo((float) EPS8.eps() + 1e-6f);
    }

    /** Noise training's inputs are random points of the ε-ball: inside it, and different on every batch. */
    @Test
    void noiseTrainingUsesRandomPointsOfTheBall() {
        NDArray x = images();
        TrainContext c = ctx();
        NDArray a = c.threat().randomStart(x);
        NDArray b = c.threat().randomStart(x);
        assertThat(a.sub(x).abs().max().getFloat()).isLessThanOrEqualTo((float) EPS8.eps() + 1e-6f);
        assertThat(a.sub(b).abs().max().getFloat()).isPositive();
        long before = sgd.steps();
        new NoiseTraining().trainBatch(c, x, labels());
        assertThat(sgd.steps()).isEqualTo(before + 1);
        assertThat(TrainingMethods.entry("noise").factory().apply(TrainingMethods.Settings.defaults(EPS8.eps())).adversarial()).isTrue();
    }

    @Test
    void gradientRegularizationPenaltyIsTheL1NormOfTheInputGradient() {
        NDArray[] logits = new NDArray[1];
        NDArray x = images();
        NDArray y = labels();
        float penalty;
        try (ai.djl.training.GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            penalty = GradientRegularization.lossAndPenalty(ctx(), x, y, logits)[1].getFloat();
        }
        sgd.zeroGrad();
        model.net().setTrainable(false);
        // independent: per-example input gradients by the ordinary path, then mean of their L1 norms
        NDArray g = io.advkit.attack.Gradients.of(xi -> io.advkit.attack.Loss.CE.perExample(model.logits(xi, true), y), x, m).gradient();
        float want = g.abs().reshape(8, -1).sum(new int[] {1}).mean().getFloat();
        assertThat(penalty).isCloseTo(want, within(want * 1e-3f));
        model.net().setTrainable(true);
        // and one training step runs end to end
        new GradientRegularization(0.1).trainBatch(ctx(), x, y);
    }

    @Test
    void everyMethodTrainsABatch() {
        TrainingMethods.Settings settings = new TrainingMethods.Settings(EPS8.eps(), null, 2, 8, 6, null, 4);
        for (String name : TrainingMethods.names()) {
            if (name.equals("free") || name.equals("gradreg")) {
                continue; // several steps per batch, and double backpropagation: both tested on their own above
            }
            TrainingMethod method = TrainingMethods.create(name, settings);
            long before = sgd.steps();
            TrainContext c = ctx();
            method.trainBatch(c, images(), labels());
            assertThat(sgd.steps()).as(method.name()).isEqualTo(before + 1);
            assertThat(c.meanLoss()).as(method.name()).isFinite();
        }
    }
}

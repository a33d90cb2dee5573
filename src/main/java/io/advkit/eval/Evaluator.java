package io.advkit.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.data.Batch;
import io.advkit.data.Batches;
import io.advkit.data.ImageChecks;
import io.advkit.data.ImageSet;
import io.advkit.model.Classifier;
import io.advkit.util.Progress;

import java.util.ArrayList;
import java.util.List;

/** Runs classifiers over an image set, batch by batch, each batch's native memory freed after it. */
public final class Evaluator {
    private Evaluator() {}

    /** Every image's prediction; refuses labels the model cannot predict (they would silently count as errors). */
    public static Evaluation evaluate(Classifier model, ImageSet set, int batchSize, boolean quiet) {
        check(model, set);
        List<Evaluation.Prediction> out = new ArrayList<>(set.size());
        Batches batches = new Batches(set, batchSize);
        try (Progress bar = Progress.items("eval " + model.name(), set.size(), "img", quiet);
             NDManager root = NDManager.newBaseManager()) {
            int correct = 0;
            int index = 0;
            for (Batch b : batches) {
                for (Evaluation.Prediction p : predictions(model, set, b, index++, root)) {
                    out.add(p);
                    correct += p.correct() ? 1 : 0;
                }
                bar.step(b.size());
                bar.message(String.format("acc %.1f%%", 100.0 * correct / out.size()));
            }
        }
        return new Evaluation(model.name(), set.describe(), out);
    }

    /** Refuses a model that cannot classify this set: other channels, or labels it cannot predict. */
    public static void check(Classifier model, ImageSet set) {
        ImageChecks.requireChannels(set, model.channels(), model.name());
        ImageChecks.requireLabelsBelow(set, model.numClasses(), model.name());
    }

    /**
     * The model's prediction (and its probability) for each image of batch number {@code index}, the batch's native
     * memory freed after it. A random defense's draws restart from the index, so whichever process evaluates this
     * batch (one process, or a cluster's shard) draws the same.
     */
    public static List<Evaluation.Prediction> predictions(Classifier model, ImageSet set, Batch b, int index, NDManager root) {
        model.startBatch(index);
        try (NDManager m = root.newSubManager()) {
            NDArray probs = model.logits(b.toNDArray(m)).softmax(1);
            long[] pred = probs.argMax(1).toLongArray();
            float[] p = probs.toFloatArray();
            int classes = model.numClasses();
            List<Evaluation.Prediction> out = new ArrayList<>(b.size());
            for (int k = 0; k < b.size(); k++) {
                int predicted = (int) pred[k];
                out.add(new Evaluation.Prediction(set.name(b.indices()[k]), b.labels()[k], predicted, p[k * classes + predicted]));
            }
            return out;
        }
    }
}

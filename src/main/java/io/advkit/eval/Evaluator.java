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
        ImageChecks.requireChannels(set, model.channels(), model.name());
        ImageChecks.requireLabelsBelow(set, model.numClasses(), model.name());
        List<Evaluation.Prediction> out = new ArrayList<>(set.size());
        Batches batches = new Batches(set, batchSize);
        try (Progress bar = Progress.items("eval " + model.name(), set.size(), "img", quiet);
             NDManager root = NDManager.newBaseManager()) {
            int correct = 0;
            for (Batch b : batches) {
                try (NDManager m = root.newSubManager()) {
                    NDArray probs = model.logits(b.toNDArray(m)).softmax(1);
                    long[] pred = probs.argMax(1).toLongArray();
                    float[] p = probs.toFloatArray();
                    int classes = model.numClasses();
                    for (int k = 0; k < b.size(); k++) {
                        int idx = b.indices()[k];
                        int predicted = (int) pred[k];
                        out.add(new Evaluation.Prediction(set.name(idx), b.labels()[k], predicted, p[k * classes + predicted]));
                        correct += predicted == b.labels()[k] ? 1 : 0;
                    }
                }
                bar.step(b.size());
                bar.message(String.format("acc %.1f%%", 100.0 * correct / out.size()));
            }
        }
        return new Evaluation(model.name(), set.describe(), out);
    }
}

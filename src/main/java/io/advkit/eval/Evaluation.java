package io.advkit.eval;

import java.util.List;

/** Per-image outcome of running one model over a set, and its accuracy. */
public record Evaluation(String model, String data, List<Prediction> predictions) {
    public record Prediction(String name, int label, int predicted, float confidence) {
        public boolean correct() {
            return label == predicted;
        }
    }

    public int correct() {
        return (int) predictions.stream().filter(Prediction::correct).count();
    }

    public int total() {
        return predictions.size();
    }

    /** Accuracy in percent. */
    public double accuracy() {
        return total() == 0 ? 0 : 100.0 * correct() / total();
    }
}

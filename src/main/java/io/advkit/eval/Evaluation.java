package io.advkit.eval;

import io.advkit.util.RunInfo;

import java.util.List;

/** Per-image outcome of running one model over a set, and its accuracy. */
public record Evaluation(String model, String data, List<Prediction> predictions) {
    public record Prediction(String name, int label, int predicted, float confidence) {
        public boolean correct() {
            return label == predicted;
        }
    }

    /** One model's entry in eval's JSON. */
    public record ModelResult(String model, int correct, int total, double accuracy, List<Prediction> predictions) {}

    /** eval's JSON: every model evaluated on one set. */
    public record Result(String kind, String data, RunInfo run, List<ModelResult> models) {
        public static Result of(String data, List<Evaluation> evaluations) {
            return new Result("eval", data, RunInfo.now(), evaluations.stream()
                    .map(e -> new ModelResult(e.model(), e.correct(), e.total(), e.accuracy(), e.predictions())).toList());
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

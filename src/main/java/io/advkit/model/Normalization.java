package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advkit.util.UserError;

import java.util.Map;

/** Per-channel input standardization, (x − mean) / std, that a model was trained with. */
public record Normalization(float[] mean, float[] std) {
    /** The normalizations of the model families advkit knows, by the key zoo.tsv uses. */
    public static final Map<String, Normalization> KNOWN = Map.of(
            "pytorchcv-cifar", new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f}),
            "chenyaofo-cifar10", new Normalization(new float[] {0.4914f, 0.4822f, 0.4465f}, new float[] {0.2023f, 0.1994f, 0.2010f}),
            "chenyaofo-cifar100", new Normalization(new float[] {0.5070f, 0.4865f, 0.4409f}, new float[] {0.2673f, 0.2564f, 0.2761f}),
            "imagenet", new Normalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}),
            "none", new Normalization(new float[] {0f, 0f, 0f}, new float[] {1f, 1f, 1f}));

    public static Normalization named(String key) {
        Normalization n = KNOWN.get(key);
        if (n == null) {
            throw new UserError("unknown normalization '" + key + "'; known: " + KNOWN.keySet());
        }
        return n;
    }

    NDArray meanArray(NDManager m) {
        return m.create(mean, new Shape(1, 3, 1, 1));
    }

    NDArray stdArray(NDManager m) {
        return m.create(std, new Shape(1, 3, 1, 1));
    }
}

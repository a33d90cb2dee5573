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

    /** True when (x − mean) / std is x: mean 0, std 1 ("none"). */
    public boolean isIdentity() {
        for (int i = 0; i < mean.length; i++) {
            if (mean[i] != 0f || std[i] != 1f) {
                return false;
            }
        }
        return true;
    }

    /**
     * A known name, or {@code mean=A,B,C;std=D,E,F} (one value per channel, or one for all), the form
     * torchvision's {@code Normalize(mean, std)} is written in.
     */
    public static Normalization parse(String s) {
        if (!s.contains("=")) {
            return named(s);
        }
        float[] mean = null;
        float[] std = null;
        for (String part : s.split(";")) {
            String[] kv = part.split("=", 2);
            float[] v = kv.length == 2 ? floats(kv[1], s) : null;
            switch (kv[0].trim()) {
                case "mean" -> mean = v;
                case "std" -> std = v;
                default -> throw UserError.invalid("normalization", "expected mean=A,B,C;std=D,E,F or a known name, got '" + s + "'");
            }
        }
        if (mean == null || std == null || mean.length != std.length) {
            throw UserError.invalid("normalization", "expected mean=A,B,C;std=D,E,F with as many means as deviations, got '" + s + "'");
        }
        for (float d : std) {
            if (!(d > 0)) {
                throw UserError.invalid("normalization", "standard deviations must be positive, got '" + s + "'");
            }
        }
        return new Normalization(mean, std);
    }

    private static float[] floats(String list, String whole) {
        String[] p = list.split(",");
        float[] v = new float[p.length];
        try {
            for (int i = 0; i < p.length; i++) {
                v[i] = Float.parseFloat(p[i].trim());
            }
        } catch (NumberFormatException e) {
            throw UserError.invalid("normalization", "not a number in '" + whole + "'");
        }
        return v;
    }

    /** (1, channels, 1, 1); one value stands for every channel. */
    NDArray meanArray(NDManager m, int channels) {
        return m.create(perChannel(mean, channels), new Shape(1, channels, 1, 1));
    }

    NDArray stdArray(NDManager m, int channels) {
        return m.create(perChannel(std, channels), new Shape(1, channels, 1, 1));
    }

    private static float[] perChannel(float[] v, int channels) {
        if (v.length == channels) {
            return v;
        }
        if (v.length == 1) {
            float[] r = new float[channels];
            java.util.Arrays.fill(r, v[0]);
            return r;
        }
        throw UserError.invalid("normalization", v.length + " values per statistic for a model of " + channels + " channels");
    }
}

package io.advkit.model;

import io.advkit.checkpoint.StateDict;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a model spec into a loaded model. Specs: {@code NAME} (a zoo model, weights found or downloaded),
 * {@code NAME=FILE} (that model's architecture with the weights in FILE), and
 * {@code ARCH:CLASSES:NORMALIZATION=FILE} for a network the zoo does not list
 * (e.g. {@code resnet20:10:pytorchcv-cifar=my.pth}), {@code FILE.advkit}, a model advkit trained (self-describing),
 * and models advkit did not build: {@code torchscript:FILE} (with input gradients) and {@code onnx:FILE} (scores only),
 * which take the {@link External} settings; {@code lgv:DIR}, the models an LGV run collected, attacked in turn
 * ({@link ModelCollection}), or {@code lgv:NAME}, such a collection shipped in the zoo.
 */
public final class ModelLoader {
    /**
     * How to feed a TorchScript or ONNX model: its input shape (asked for only when such a model is loaded; by default
     * the data's image size) and the normalization to apply before it (null: the model normalizes itself).
     */
    public record External(java.util.function.Supplier<InputShape> shape, Normalization normalization) {
        public static final External NONE = new External(() -> {
            throw UserError.invalid("input-size", "a TorchScript or ONNX model needs its input size, C,H,W");
        }, null);
    }

    private final WeightsResolver resolver;
    private final External external;

    public ModelLoader(WeightsResolver resolver) {
        this(resolver, External.NONE);
    }

    public ModelLoader(WeightsResolver resolver, External external) {
        this.resolver = resolver;
        this.external = external;
    }

    public LoadedClassifier load(String spec) {
        if (spec.startsWith("lgv:")) {
            String where = spec.substring(4);
            return ModelCollection.isShipped(where) ? ModelCollection.loadShipped(where, this, spec)
                    : ModelCollection.load(io.advkit.util.StoragePaths.parse(where), spec);
        }
        if (spec.startsWith("torchscript:") || spec.startsWith("onnx:")) {
            boolean onnx = spec.startsWith("onnx:");
            Path f = io.advkit.util.StoragePaths.parse(spec.substring(spec.indexOf(':') + 1));
            if (!Files.isRegularFile(f)) {
                throw UserError.invalid("model", f + ": no such model file (in model " + spec + ")");
            }
            if (onnx) {
                requireOnnxRuntime();
            }
            return onnx ? OnnxModel.load(f, external.shape().get(), external.normalization())
                    : TorchScriptModel.load(f, external.shape().get(), external.normalization());
        }
        return loadZoo(spec);
    }

    /** ONNX Runtime is an optional dependency: checked by name, before a class that links against it is loaded. */
    private static void requireOnnxRuntime() {
        try {
            Class.forName("ai.onnxruntime.OrtEnvironment", false, ModelLoader.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw UserError.invalid("model", "ONNX models need ONNX Runtime on the class path (Maven: com.microsoft.onnxruntime:onnxruntime)");
        }
    }

    /** A network advkit builds itself (zoo name, architecture with weights, or .advkit file): trainable, exportable. */
    public ZooModel loadZoo(String spec) {
        if (AdvkitModelFile.isAdvkitFile(spec)) {
            Path f = io.advkit.util.StoragePaths.parse(spec);
            if (!Files.isRegularFile(f)) {
                throw new UserError(f + ": no such model file");
            }
            return AdvkitModelFile.load(f);
        }
        int eq = spec.indexOf('=');
        String name = eq < 0 ? spec : spec.substring(0, eq);
        Path file = eq < 0 ? null : io.advkit.util.StoragePaths.parse(spec.substring(eq + 1));
        if (file != null && !Files.isRegularFile(file)) {
            throw UserError.invalid("model", file + ": no such weights file (in model " + spec + ")");
        }
        if (name.contains(":")) {
            String[] p = name.split(":");
            if (p.length != 3 || file == null) {
                throw UserError.invalid("model", "model " + spec + ": expected ARCH:CLASSES:NORMALIZATION=FILE, e.g. resnet20:10:pytorchcv-cifar=my.pth");
            }
            int classes;
            try {
                classes = Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                throw UserError.invalid("model", "model " + spec + ": '" + p[1] + "' is not a number of classes");
            }
            return ZooModel.load(p[0], p[0], classes, Normalization.named(p[2]), StateDict.load(file), file.toString());
        }
        ZooEntry e = ModelZoo.get(name);
        Path weights = file != null ? file : resolver.resolve(e);
        return ZooModel.load(e.name(), e.arch(), e.classes(), Normalization.named(e.normalization()),
                StateDict.load(weights), weights.toString());
    }
}

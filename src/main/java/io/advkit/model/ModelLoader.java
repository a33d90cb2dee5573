package io.advkit.model;

import io.advkit.checkpoint.StateDict;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a model spec into a loaded model. Specs: {@code NAME} (a zoo model, weights found or downloaded),
 * {@code NAME=FILE} (that model's architecture with the weights in FILE), and
 * {@code ARCH:CLASSES:NORMALIZATION=FILE} for a network the zoo does not list
 * (e.g. {@code resnet20:10:pytorchcv-cifar=my.pth}), and {@code FILE.advkit}, a model advkit trained (self-describing).
 */
public final class ModelLoader {
    private final WeightsResolver resolver;

    public ModelLoader(WeightsResolver resolver) {
        this.resolver = resolver;
    }

    public ZooModel load(String spec) {
        if (AdvkitModelFile.isAdvkitFile(spec)) {
            Path f = Path.of(spec);
            if (!Files.isRegularFile(f)) {
                throw new UserError(f + ": no such model file");
            }
            return AdvkitModelFile.load(f);
        }
        int eq = spec.indexOf('=');
        String name = eq < 0 ? spec : spec.substring(0, eq);
        Path file = eq < 0 ? null : Path.of(spec.substring(eq + 1));
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

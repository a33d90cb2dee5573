package io.advkit.model;

import io.advkit.util.StoragePaths;

import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The design family of a model spec, for leave-one-family-out studies and family-balanced ensembles. */
public final class ModelFamily {
    private ModelFamily() {}

    /**
     * The family of a model spec: the architecture family of a zoo model, an ARCH:... spec, a .advkit file or an LGV
     * collection (its members'); else the spec itself (a TorchScript or ONNX model is its own family).
     */
    public static String of(String spec) {
        String name = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : spec;
        if (ModelZoo.contains(name)) {
            return Architectures.family(ModelZoo.get(name).arch());
        }
        if (name.matches("[a-z0-9_]+:\\d+:.*")) {
            return Architectures.family(name.substring(0, name.indexOf(':')));
        }
        if (AdvkitModelFile.isAdvkitFile(spec) && Files.isRegularFile(StoragePaths.parse(spec))) {
            return Architectures.family(AdvkitModelFile.archOf(StoragePaths.parse(spec)));
        }
        if (spec.startsWith("lgv:")) {
            return Architectures.family(ModelCollection.archOf(spec.substring(4)));
        }
        return name;
    }

    /**
     * Ensemble weights that give every family the same share, split evenly among its members: three ResNets and one
     * ShuffleNet weigh 1/6, 1/6, 1/6 and 1/2, so the family with the most checkpoints does not decide the gradient.
     */
    public static float[] balancedWeights(List<String> specs) {
        Map<String, Integer> members = new HashMap<>();
        List<String> families = specs.stream().map(ModelFamily::of).toList();
        families.forEach(f -> members.merge(f, 1, Integer::sum));
        float[] w = new float[specs.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1f / (members.size() * members.get(families.get(i)));
        }
        return w;
    }
}

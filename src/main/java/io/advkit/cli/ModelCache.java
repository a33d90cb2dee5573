package io.advkit.cli;

import io.advkit.model.LoadedClassifier;
import io.advkit.model.ModelLoader;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Models a cluster worker keeps for the life of its process: loading a model (and its weights' checksum) costs
 * more than a small shard's work, and a worker runs many shards of the same job. Keyed by the spec and the whole
 * command line (which holds every option that decides what is loaded); never closed (the process ends with them).
 */
final class ModelCache {
    private static final Map<List<Object>, LoadedClassifier> MODELS = new HashMap<>(); // guarded by the class

    private ModelCache() {}

    static synchronized LoadedClassifier load(ModelLoader loader, String spec, List<String> commandLine) {
        return MODELS.computeIfAbsent(List.of(spec, commandLine), k -> loader.load(spec));
    }
}

package io.advkit.model;

/**
 * A classifier a {@link ModelLoader} loaded: it owns native memory (weights, a TorchScript module, an ONNX
 * session) and must be closed. Zoo networks, TorchScript and ONNX models all are one.
 */
public interface LoadedClassifier extends Classifier, AutoCloseable {
    @Override
    void close();
}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * An ONNX model run by ONNX Runtime as a black box: scores for any input, no gradients (no JVM engine gives ONNX
 * input gradients dependably). It serves evaluation, transfer (as a victim) and the score-based attacks (Square,
 * SPSA). Pixels cross to ONNX Runtime as floats and the logits come back into the caller's engine.
 */
public final class OnnxModel implements LoadedClassifier {
    private final OrtSession session;
    private final String input;
    private final String name;
    private final Normalization normalization;
    private final int channels;
    private final int classes;

    private OnnxModel(OrtSession session, String input, String name, Normalization normalization, InputShape shape) {
        this.session = session;
        this.input = input;
        this.name = name;
        this.normalization = normalization;
        this.channels = shape.channels();
        this.classes = ModelProbe.classes(this::logits, shape, name);
    }

    public static OnnxModel load(Path file, InputShape shape, Normalization normalization) {
        OrtSession session;
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
                session = env.createSession(io.advkit.util.LocalFiles.local(file).toString(), options);
            }
        } catch (OrtException e) {
            throw new UserError(file + ": ONNX Runtime cannot load it: " + Errors.firstLine(e));
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new UserError(file + ": the graph has " + inputs.size() + " inputs " + inputs.keySet()
                        + "; advkit feeds one batch of images (N, C, H, W)");
            }
            var info = inputs.values().iterator().next().getInfo();
            if (!(info instanceof TensorInfo t) || t.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                throw new UserError(file + ": its input is " + info + "; advkit feeds a float tensor (N, C, H, W)");
            }
            return new OnnxModel(session, inputs.keySet().iterator().next(), file.getFileName().toString(), normalization, shape);
        } catch (RuntimeException | OrtException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the load error is the one to report
            }
            throw e instanceof UserError u ? u : new UserError(file + ": " + Errors.firstLine(e));
        }
    }

    @Override
    public NDArray logits(NDArray pixels) {
        if (JniUtils.isGradMode()) {
            // an attack is recording a graph through this model: it would get a zero gradient, not an error
            throw new UserError(name + " is an ONNX model, run as a black box without gradients: use a gradient-free attack "
                    + "(square, spsa), a transfer attack (-s SURROGATE -v " + name + "), or export it to TorchScript");
        }
        long[] shape = pixels.getShape().getShape();
        float[] x;
        if (normalization == null) {
            x = pixels.toFloatArray();
        } else {
            try (NDManager stats = pixels.getManager().newSubManager()) {
                NDArray mean = normalization.meanArray(stats, channels);
                NDArray std = normalization.stdArray(stats, channels);
                NDArray normalized = Module.then(pixels.sub(mean), a -> a.div(std));
                normalized.attach(stats);
                x = normalized.toFloatArray();
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
             OrtSession.Result r = session.run(Map.of(input, t))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            long[] s = out.getInfo().getShape();
            FloatBuffer fb = out.getFloatBuffer();
            float[] logits = new float[fb.remaining()];
            fb.get(logits);
            return pixels.getManager().create(logits, new Shape(s));
        } catch (OrtException e) {
            throw new UserError(name + ": ONNX Runtime failed on a batch of shape " + pixels.getShape() + ": " + Errors.firstLine(e));
        }
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int numClasses() {
        return classes;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}

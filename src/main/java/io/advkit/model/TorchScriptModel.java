package io.advkit.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.util.Errors;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Path;
import java.util.zip.ZipFile;

/**
 * A PyTorch model saved with {@code torch.jit.save} (traced or scripted), run by the same libtorch as the zoo
 * models, with gradients with respect to its input. Normalization is inside the module unless one is given.
 *
 * <p><b>The one rule for forwarding TorchScript.</b> The module is switched to eval mode once, at load, and every
 * forward then goes through libtorch's plain {@code forward} with autograd left as the caller set it. DJL's block
 * API is not used: its {@code training=false} forward disables autograd (no input gradient), and its
 * {@code training=true} forward calls {@code train()} on the module, after which a scripted module's BatchNorm uses
 * batch statistics and its dropout draws (measured: logits off by 0.57). Parameters are frozen (no
 * {@code requires_grad}) so that a backward pass computes only the input gradient, as for a zoo model.
 *
 * <p>Loading runs no Python: TorchScript is a restricted language interpreted by libtorch, and its tensors are read
 * by libtorch's own restricted unpickler.
 */
public final class TorchScriptModel implements LoadedClassifier {
    private final NDManager manager;
    private final PtSymbolBlock module;
    private final String name;
    private final NDArray mean;
    private final NDArray std;
    private final int classes;
    private final int channels;

    private TorchScriptModel(NDManager manager, PtSymbolBlock module, String name, Normalization normalization, InputShape shape) {
        this.manager = manager;
        this.module = module;
        this.name = name;
        this.mean = normalization == null ? null : normalization.meanArray(manager, shape.channels());
        this.std = normalization == null ? null : normalization.stdArray(manager, shape.channels());
        this.channels = shape.channels();
        this.classes = ModelProbe.classes(this::logits, shape, name);
    }

    /** Loads {@code file}; {@code normalization} null when the module normalizes its input itself. */
    public static TorchScriptModel load(Path file, InputShape shape, Normalization normalization) {
        requireTorchScriptArchive(file);
        NDManager manager = NDManager.newBaseManager();
        try {
            PtSymbolBlock module;
            try {
                // trainParam=true: otherwise libtorch loads the weights as inference tensors, which no backward may use
                module = JniUtils.loadModule((PtNDManager) manager, io.advkit.util.LocalFiles.local(file).toAbsolutePath(), true, new String[0], new String[0], true);
            } catch (EngineException e) {
                throw new UserError(file + ": libtorch cannot load it as a TorchScript module: " + Errors.firstLine(e));
            }
            JniUtils.enableInferenceMode(module); // module.eval(), once; see the class comment
            for (NDArray p : JniUtils.moduleGetParams(module, (PtNDManager) manager)) {
                JniUtils.attachGradient((PtNDArray) p, false); // the handle shares the parameter's tensor
                p.close();
            }
            TorchScriptModel model = new TorchScriptModel(manager, module, file.getFileName().toString(), normalization, shape);
            EngineCheck.warnAbout(model.name()); // once it is known to run: a refused model gets its one error line only
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** torch.jit.save writes a zip holding the module's code; a plain torch.save of a state dict holds none. */
    private static void requireTorchScriptArchive(Path file) {
        try (ZipFile zip = new ZipFile(io.advkit.util.LocalFiles.local(file).toFile())) {
            boolean code = zip.stream().anyMatch(e -> e.getName().contains("/code/") || e.getName().endsWith("constants.pkl"));
            if (!code) {
                throw new UserError(file + ": a PyTorch archive without TorchScript code (a state dict saved with torch.save?); "
                        + "save the model with torch.jit.save(torch.jit.trace(model.eval(), example)), or load a state dict of "
                        + "a zoo architecture as ARCH:CLASSES:NORMALIZATION=FILE");
            }
        } catch (IOException e) {
            throw new UserError(file + ": not a TorchScript file (torch.jit.save writes a zip archive): " + Errors.describe(e));
        }
    }

    @Override
    public NDArray logits(NDArray pixels) {
        NDArray x = mean == null ? pixels : Module.then(pixels.sub(mean), a -> a.div(std));
        NDList out = IValueUtils.forward(module, new NDList(x), true); // autograd as the caller set it, no train()
        if (out.size() != 1) {
            out.close();
            throw new UserError(name + ": returns " + out.size() + " tensors; advkit needs one tensor of logits (N, classes)");
        }
        return out.singletonOrThrow();
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
        module.close();
        manager.close();
    }
}

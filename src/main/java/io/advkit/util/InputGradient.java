package io.advkit.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import io.advkit.checkpoint.TorchScriptArchive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * ∇ₓ Σ output by PyTorch's {@code torch.autograd.grad(output.sum(), x, create_graph=...)}: either as a tensor that is
 * itself differentiable (the first half of double backpropagation: gradient regularization, WGAN-GP's penalty,
 * differentiating through Defense-GAN's descent steps), or plain, inside code that an outer gradient computation is
 * already recording (Defense-GAN's projection runs inside an attack's gradient collector, which is one per JVM).
 *
 * <p>Why not DJL's backward: DJL binds only {@code backward(create_graph=True)}, which stores the gradient in
 * {@code x.grad}; that gradient's graph reaches back to {@code x}, a reference cycle PyTorch warns about and cures by
 * setting {@code .grad} to None, which DJL cannot do — so every batch's whole graph leaked (measured: 100 MB/s).
 * {@code autograd.grad} returns the gradient without storing it anywhere, so no cycle forms. DJL does not bind it,
 * but libtorch runs TorchScript, and TorchScript can call it: this class writes two-line TorchScript modules (their
 * source text, which libtorch compiles at load; no Python, no binary blob) and calls them on the engine's own tensors.
 */
public final class InputGradient {
    private static final String CODE = """
            class InputGradient(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.InputGradient,
                output: Tensor,
                x: Tensor) -> Tensor:
                _0 = torch.autograd.grad([torch.sum(output)], [x], None, None, CREATE_GRAPH)
                return unchecked_cast(Tensor, _0[0])
            """;

    private static final String TRACKED = """
            class Tracked(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.Tracked,
                x: Tensor) -> Tensor:
                return torch.tensor(x.requires_grad)
            """;

    private static PtSymbolBlock withGraph;
    private static PtSymbolBlock plain;
    private static PtSymbolBlock tracked;

    private InputGradient() {}

    /**
     * The gradient of {@code output.sum()} with respect to {@code x} (which must require gradients), with the graph
     * that computed it: a loss of it backpropagates into whatever {@code output} depends on.
     */
    public static NDArray differentiable(NDArray output, NDArray x) {
        return call(module(true), output, x);
    }

    /** The same gradient as a plain tensor (no graph is built for it); the graph of {@code output} is freed. */
    public static NDArray of(NDArray output, NDArray x) {
        return call(module(false), output, x);
    }

    /**
     * Whether autograd is recording x's history (PyTorch's {@code x.requires_grad}): true for a leaf that requires
     * gradients and for anything computed from one. DJL's own query answers false for every non-leaf tensor.
     */
    public static boolean tracked(NDArray x) {
        PtSymbolBlock m;
        synchronized (InputGradient.class) {
            if (tracked == null) {
                tracked = load("Tracked", TRACKED);
            }
            m = tracked;
        }
        try (NDArray flag = IValueUtils.forward(m, new ai.djl.ndarray.NDList(x), true).singletonOrThrow()) {
            return flag.toBooleanArray()[0];
        }
    }

    private static NDArray call(PtSymbolBlock module, NDArray output, NDArray x) {
        NDArray g = IValueUtils.forward(module, new NDList(output, x), true).singletonOrThrow();
        g.attach(x.getManager());
        return g;
    }

    private static synchronized PtSymbolBlock module(boolean createGraph) {
        if (createGraph && withGraph == null) {
            withGraph = load("InputGradient", CODE.replace("CREATE_GRAPH", "True"));
        }
        if (!createGraph && plain == null) {
            plain = load("InputGradient", CODE.replace("CREATE_GRAPH", "False"));
        }
        return createGraph ? withGraph : plain;
    }

    /** Compiles a TorchScript class from its source; the module lives as long as the process (its manager is never closed). */
    private static PtSymbolBlock load(String className, String code) {
        try {
            Path f = Files.createTempFile("advkit-autograd", ".pt");
            try {
                Files.write(f, TorchScriptArchive.of("autograd", className, code));
                return JniUtils.loadModule((PtNDManager) NDManager.newBaseManager(), f, true, new String[0], new String[0], true);
            } finally {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a TorchScript helper to a temporary file", e);
        }
    }
}

package io.advkit.train;

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
 * ∇ₓ Σ output as a tensor that is itself differentiable with respect to the weights: PyTorch's
 * {@code torch.autograd.grad(output.sum(), x, create_graph=True)}, the first half of double backpropagation.
 *
 * <p>Why not DJL's backward: DJL binds only {@code backward(create_graph=True)}, which stores the gradient in
 * {@code x.grad}; that gradient's graph reaches back to {@code x}, a reference cycle PyTorch warns about and cures by
 * setting {@code .grad} to None, which DJL cannot do — so every batch's whole graph leaked (measured: 100 MB/s).
 * {@code autograd.grad} returns the gradient without storing it anywhere, so no cycle forms. DJL does not bind it,
 * but libtorch runs TorchScript, and TorchScript can call it: this class writes a two-line TorchScript module (its
 * source text, which libtorch compiles at load; no Python, no binary blob) and calls it on the engine's own tensors.
 */
public final class DifferentiableInputGradient {
    private static final String CODE = """
            class InputGradient(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.InputGradient,
                output: Tensor,
                x: Tensor) -> Tensor:
                _0 = torch.autograd.grad([torch.sum(output)], [x], None, None, True)
                return unchecked_cast(Tensor, _0[0])
            """;

    private static PtSymbolBlock module;

    private DifferentiableInputGradient() {}

    /**
     * The gradient of {@code output.sum()} with respect to {@code x} (which must require gradients), with the graph
     * that computed it: a loss of it backpropagates into the weights that {@code output} depends on.
     */
    public static NDArray of(NDArray output, NDArray x) {
        NDArray g = IValueUtils.forward(module(), new NDList(output, x), true).singletonOrThrow();
        g.attach(x.getManager());
        return g;
    }

    private static synchronized PtSymbolBlock module() {
        if (module == null) {
            try {
                Path f = Files.createTempFile("advkit-input-gradient", ".pt");
                try {
                    Files.write(f, TorchScriptArchive.of("input_gradient", "InputGradient", CODE));
                    // the module lives as long as the process: its manager is never closed
                    module = JniUtils.loadModule((PtNDManager) NDManager.newBaseManager(), f, true, new String[0], new String[0], true);
                } finally {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the input-gradient module to a temporary file", e);
            }
        }
        return module;
    }

}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The strided 1×1 convolutions whose backward pass kills the engine, and the same function computed another way.
 *
 * <p>The engine's oneDNN (v3.7.1, in libtorch 2.7.1) picks kernels for 1×1 convolutions by a cost estimate
 * ({@code brg_blocking_t::est_eff_1x1}) that special-cases five (input, output) channel pairs — 1024→2048, 1024→512,
 * 256→1024, 512→1024, 512→2048, a "maskrcnn workaround" — with an integer division by a block count that is 0 on CPUs
 * without AMX. For such a convolution at stride 2 the backward-data pass goes through that estimate, and with two or
 * more threads the process dies of SIGFPE (on the dev VM's AMD EPYC: an input gradient of ResNeXt-29, whose last stage
 * has 512→1024 at stride 2, killed the JVM; docs/BENCHMARKS.md). At stride 1 it takes another kernel and runs.
 *
 * <p>A 1×1 kernel without padding at stride s reads only every s-th pixel, so it equals the stride-1 convolution of the
 * input subsampled by s: the same function and the same gradients, not an approximation. Only the crashing shapes are
 * rewritten, so every other convolution's arithmetic stays exactly what it was. Models advkit does not build
 * (TorchScript, ONNX) run as given.
 */
final class StridedPointwise {
    private static final Set<Long> CRASHING_PAIRS = Set.of(pair(1024, 2048), pair(1024, 512), pair(256, 1024), pair(512, 1024), pair(512, 2048));

    private StridedPointwise() {}

    private static long pair(long in, long out) {
        return in << 32 | out;
    }

    /**
     * Whether a convolution with weights (out, in/groups, kh, kw), this stride and padding is one of them: 1×1, unpadded,
     * strided, with a crashing pair of channels per group (in either order, which costs nothing and covers the
     * transposed problem a backward pass may run).
     */
    static boolean crashes(Shape weight, int groups, Shape stride, Shape padding) {
        boolean pointwise = weight.get(2) == 1 && weight.get(3) == 1 && padding.get(0) == 0 && padding.get(1) == 0;
        if (!pointwise || stride.get(0) == 1 && stride.get(1) == 1) {
            return false;
        }
        long in = weight.get(1);
        long out = weight.get(0) / groups;
        return CRASHING_PAIRS.contains(pair(in, out)) || CRASHING_PAIRS.contains(pair(out, in));
    }

    /** {@code conv1}(x subsampled by {@code stride}): the strided 1×1 convolution, where {@code conv1} is it at stride 1. */
    static NDArray run(NDArray x, Shape stride, UnaryOperator<NDArray> conv1) {
        return Module.then(x.get(":, :, ::" + stride.get(0) + ", ::" + stride.get(1)), conv1);
    }
}

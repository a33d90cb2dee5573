package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Convolutions whose channel counts are not multiples of 16, run with zero channels added so that they are.
 *
 * <p>Why: the engine's oneDNN (3.7.1 in libtorch 2.7.1, and 3.5.3 in 2.5.1 alike) computes such convolutions wrongly
 * on the dev VM's CPU (an AMD EPYC with AVX-512; Debian's PyTorch 1.13 with oneDNN 2.6.3 is right on the same machine,
 * docs/BENCHMARKS.md "Wrong convolutions"). It stores channels in blocks of 16 (8 for AVX2) and the padded tail of the
 * block that reduces, the input channels forward and the output channels in the input-gradient pass, does not read
 * as zero: against the closed form, on a grid of 1×1 to 7×7 convolutions, every forward pass with more than 16 input
 * channels not a multiple of 16 was wrong (off by up to half its scale), most input gradients with an output channel
 * count not a multiple of 16, and at stride 2 every input gradient with an odd number of 16-channel input blocks;
 * weight gradients were right. With the padding below the whole grid is right. Capped at SSE4.1 it is
 * right and 4–5× slower. A DenseNet (growth 12), an SE block's squeeze (C/16 channels), Defense-GAN's generator
 * (one output channel) were all affected.
 *
 * <p>Zero input channels with zero weights add nothing, and zero output filters give outputs that are sliced off (so
 * their gradient is zero): the same function and gradients. The zeros cost one copy of the input where input channels
 * are added, and the padded channels' arithmetic (on DenseNet-40, padded throughout, no cost measurable beyond the
 * noise: docs/BENCHMARKS.md, "Every zoo family's raw step"); whole 32-channel blocks (all ResNet, WRN, ResNeXt and VGG widths
 * here) run as they are. Only ungrouped convolutions are padded: ResNeXt's grouped ones (4–16 channels per group) were right.
 * Models advkit does not build (TorchScript) cannot be rewritten: {@link EngineCheck} says when to cap the engine.
 */
final class ChannelTails {
    private static final int BLOCK = 16;

    private ChannelTails() {}

    private static long roundUp(long c, long multiple) {
        return (c + multiple - 1) / multiple * multiple;
    }

    /**
     * The input channels to compute with: as many up to one block (read right), else a multiple of 16, or of 32 for a
     * strided convolution (whose input-gradient pass was wrong for 48, 80, 112, ... input channels: it takes the
     * channels two blocks at a time).
     */
    private static long inputChannels(long in, boolean strided) {
        return in <= BLOCK ? in : roundUp(in, strided ? 2 * BLOCK : BLOCK);
    }

    /** Whether a convolution with weights (out, in/groups, kh, kw) and this stride is padded. */
    static boolean padded(Shape weight, int groups, Shape stride) {
        boolean strided = stride.get(0) != 1 || stride.get(1) != 1;
        return groups == 1 && (weight.get(0) % BLOCK != 0 || inputChannels(weight.get(1), strided) != weight.get(1));
    }

    /**
     * What the convolution with weights {@code w}, bias {@code b} (or null) and this stride gives on {@code x}, run on
     * padded channels.
     */
    static NDArray run(NDArray x, NDArray w, NDArray b, Shape stride, ConvolutionOp conv) {
        Shape ws = w.getShape();
        long out = ws.get(0);
        long in = ws.get(1);
        long inPadded = inputChannels(in, stride.get(0) != 1 || stride.get(1) != 1);
        long outPadded = roundUp(out, BLOCK);
        NDArray xp = x;
        NDArray wp = w;
        if (inPadded != in) {
            Shape s = x.getShape();
            try (NDArray zx = x.getManager().zeros(new Shape(s.get(0), inPadded - in, s.get(2), s.get(3)), x.getDataType());
                 NDArray zw = x.getManager().zeros(new Shape(out, inPadded - in, ws.get(2), ws.get(3)), w.getDataType())) {
                xp = x.concat(zx, 1);
                wp = w.concat(zw, 1);
            }
        }
        NDArray bp = b;
        if (outPadded != out) {
            try (NDArray zw = x.getManager().zeros(new Shape(outPadded - out, inPadded, ws.get(2), ws.get(3)), w.getDataType())) {
                NDArray wider = wp.concat(zw, 0);
                if (wp != w) {
                    wp.close();
                }
                wp = wider;
            }
            if (b != null) {
                try (NDArray zb = x.getManager().zeros(new Shape(outPadded - out), b.getDataType())) {
                    bp = b.concat(zb, 0);
                }
            }
        }
        NDArray y = conv.apply(xp, wp, bp);
        // the graph keeps what backward needs; these handles are ours (the weights' manager must not collect them)
        for (NDArray t : new NDArray[] {xp == x ? null : xp, wp == w ? null : wp, bp == b ? null : bp}) {
            if (t != null) {
                t.close();
            }
        }
        return outPadded == out ? y : Module.then(y, a -> a.get(":, 0:" + out));
    }

    /** The convolution itself, on the padded operands. */
    interface ConvolutionOp {
        NDArray apply(NDArray x, NDArray w, NDArray b);
    }
}

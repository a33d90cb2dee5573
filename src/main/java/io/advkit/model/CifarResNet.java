package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.ConvBlock;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.SEBlock;
import io.advkit.model.Layers.Sequential;

/**
 * pytorchcv's CIFARResNet and CIFARSEResNet ({@code resnet_cifar.py}, {@code seresnet_cifar.py}):
 * a 3×3 conv block, three stages of residual units (16/32/64 channels, ×4 with bottlenecks), global
 * average pooling and a linear layer. Keys: {@code features.init_block.*}, {@code features.stageI.unitJ.*},
 * {@code output.*}.
 */
public final class CifarResNet extends Module {
    private final Sequential features;
    private final Linear output;

    /**
     * @param depth      20, 56, 110 (basic units) or 164 (bottleneck, "resnet164bn")
     * @param bottleneck whether units are 1×1-3×3-1×1 bottlenecks
     * @param se         whether each unit has a squeeze-and-excitation block (SE-ResNet)
     */
    public CifarResNet(int depth, boolean bottleneck, boolean se, int numClasses) {
        int units = bottleneck ? (depth - 2) / 9 : (depth - 2) / 6;
        features = child("features", new Sequential());
        features.add("init_block", ConvBlock.conv3x3(3, 16, 1));
        int in = 16;
        int[] widths = {16, 32, 64};
        for (int i = 0; i < 3; i++) {
            Sequential stage = new Sequential();
            int out = bottleneck ? widths[i] * 4 : widths[i];
            for (int j = 0; j < units; j++) {
                int stride = j == 0 && i != 0 ? 2 : 1;
                stage.add("unit" + (j + 1), new ResUnit(in, out, stride, bottleneck, se));
                in = out;
            }
            features.add("stage" + (i + 1), stage);
        }
        features.add("final_pool", new Lambda(Layers::poolFlatten));
        output = child("output", new Linear(in, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        return then(features.forward(x, training), a -> output.forward(a, training));
    }

    /** pytorchcv's ResUnit / SEResUnit: relu(body(x) [· se] + identity(x)). */
    static final class ResUnit extends Module {
        private final Module body;
        private final SEBlock se;
        private final ConvBlock identity;

        ResUnit(int in, int out, int stride, boolean bottleneck, boolean se) {
            body = child("body", bottleneck ? new Bottleneck(in, out, stride) : new Block(in, out, stride));
            this.se = se ? child("se", new SEBlock(out, 16)) : null;
            identity = in != out || stride != 1 ? child("identity_conv", ConvBlock.conv1x1(in, out, stride, false)) : null;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray shortcut = identity == null ? x : identity.forward(x, training);
            NDArray y = body.forward(x, training);
            if (se != null) {
                y = then(y, a -> se.forward(a, training));
            }
            y = then(y, BackwardShaping::residualBranch);
            return then(addFreeing(y, BackwardShaping.skip(shortcut), x), Activation::relu);
        }
    }

    /** Two 3×3 conv blocks, the second without activation. */
    static final class Block extends Module {
        private final ConvBlock conv1;
        private final ConvBlock conv2;

        Block(int in, int out, int stride) {
            conv1 = child("conv1", ConvBlock.conv3x3(in, out, stride));
            conv2 = child("conv2", new ConvBlock(out, out, 3, 1, 1, 1, false));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return then(conv1.forward(x, training), a -> conv2.forward(a, training));
        }
    }

    /** 1×1 → 3×3 (strided) → 1×1 conv blocks, a quarter of the output width inside. */
    static final class Bottleneck extends Module {
        private final ConvBlock conv1;
        private final ConvBlock conv2;
        private final ConvBlock conv3;

        Bottleneck(int in, int out, int stride) {
            int mid = out / 4;
            conv1 = child("conv1", ConvBlock.conv1x1(in, mid, 1, true));
            conv2 = child("conv2", ConvBlock.conv3x3(mid, mid, stride));
            conv3 = child("conv3", ConvBlock.conv1x1(mid, out, 1, false));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return then(then(conv1.forward(x, training), a -> conv2.forward(a, training)), a -> conv3.forward(a, training));
        }
    }
}

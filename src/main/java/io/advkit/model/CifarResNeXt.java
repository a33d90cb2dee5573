package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.ConvBlock;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * pytorchcv's CIFARResNeXt ({@code resnext_cifar.py}): a 64-channel 3×3 stem, three stages of
 * bottleneck units of 256/512/1024 channels whose 3×3 convolution is grouped ({@code cardinality}
 * groups of {@code bottleneckWidth}-scaled width).
 */
public final class CifarResNeXt extends Module {
    private final Sequential features;
    private final Linear output;

    public CifarResNeXt(int depth, int cardinality, int bottleneckWidth, int numClasses) {
        int units = (depth - 2) / 9;
        features = child("features", new Sequential());
        features.add("init_block", ConvBlock.conv3x3(3, 64, 1));
        int in = 64;
        int[] widths = {256, 512, 1024};
        for (int i = 0; i < 3; i++) {
            Sequential stage = new Sequential();
            for (int j = 0; j < units; j++) {
                int stride = j == 0 && i != 0 ? 2 : 1;
                stage.add("unit" + (j + 1), new Unit(in, widths[i], stride, cardinality, bottleneckWidth));
                in = widths[i];
            }
            features.add("stage" + (i + 1), stage);
        }
        features.add("final_pool", new Lambda(Layers::poolFlatten));
        output = child("output", new Linear(in, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        return output.forward(features.forward(x, training), training);
    }

    static final class Unit extends Module {
        private final Sequential body;
        private final ConvBlock identity;

        Unit(int in, int out, int stride, int cardinality, int bottleneckWidth) {
            int mid = out / 4;
            int d = (int) Math.floor(mid * (bottleneckWidth / 64.0));
            int groupWidth = cardinality * d;
            body = child("body", new Sequential()
                    .add("conv1", ConvBlock.conv1x1(in, groupWidth, 1, true))
                    .add("conv2", new ConvBlock(groupWidth, groupWidth, 3, stride, 1, cardinality, true))
                    .add("conv3", ConvBlock.conv1x1(groupWidth, out, 1, false)));
            identity = in != out || stride != 1 ? child("identity_conv", ConvBlock.conv1x1(in, out, stride, false)) : null;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray shortcut = identity == null ? x : identity.forward(x, training);
            return Activation.relu(BackwardShaping.residualBranch(body.forward(x, training)).add(BackwardShaping.skip(shortcut)));
        }
    }
}

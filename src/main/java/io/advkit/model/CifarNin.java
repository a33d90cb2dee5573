package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Sequential;

/**
 * pytorchcv's Network in Network for CIFAR ({@code nin_cifar.py}, Lin et al. 2014): three stages of a k×k
 * convolution followed by 1×1 convolutions (the "micro networks"), every convolution with a bias and a ReLU;
 * a 3×3/2 max-pool before stage 2 and a 3×3/2 average pool before stage 3; then a 1×1 convolution to the classes,
 * ReLU included, averaged over the 8×8 map. No residual connection and no BatchNorm: a plain convolutional family
 * like VGG, of a tenth of its parameters (0.97 M), so it ships in the jar.
 *
 * <p>Keys as pytorchcv names them: {@code features.stage1.unit1.conv.weight}, ..., {@code
 * output.final_conv.conv.bias}. pytorchcv's dropout (p 0.5 after each pool) has no parameters and is the identity
 * in eval mode; advkit trains NIN without it, as it trains VGG.
 */
public final class CifarNin extends Module {
    private static final int[][] CHANNELS = {{192, 160, 96}, {192, 192, 192}, {192, 192}};
    private static final int[] FIRST_KERNELS = {5, 5, 3};

    private final Sequential features;
    private final Sequential output;

    public CifarNin(int numClasses) {
        features = child("features", new Sequential());
        int in = 3;
        for (int i = 0; i < CHANNELS.length; i++) {
            Sequential stage = new Sequential();
            if (i == 1) {
                stage.add("pool2", new Lambda(x -> Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false)));
            } else if (i == 2) {
                // PyTorch's AvgPool2d counts the zero padding in the mean (count_include_pad=True)
                stage.add("pool3", new Lambda(x -> Pool.avgPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false, true)));
            }
            for (int j = 0; j < CHANNELS[i].length; j++) {
                int kernel = j == 0 ? FIRST_KERNELS[i] : 1;
                stage.add("unit" + (j + 1), new Unit(in, CHANNELS[i][j], kernel));
                in = CHANNELS[i][j];
            }
            features.add("stage" + (i + 1), stage);
        }
        output = child("output", new Sequential()
                .add("final_conv", new Unit(in, numClasses, 1))
                .add("final_pool", new Lambda(Layers::poolFlatten))); // AvgPool2d(8) on the 8×8 map
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray f = features.forward(x, training);
        return then(f, a -> output.forward(a, training));
    }

    /** NINConv: a convolution with bias, "same" padding, then ReLU. */
    static final class Unit extends Module {
        private final Conv2d conv;

        Unit(int in, int out, int kernel) {
            conv = child("conv", new Conv2d(in, out, kernel, 1, (kernel - 1) / 2, 1, true));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return then(conv.forward(x, training), BackwardShaping::branchRelu);
        }
    }
}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.PreActivation;
import io.advkit.model.Layers.PreConvBlock;
import io.advkit.model.Layers.Sequential;

/**
 * pytorchcv's CIFARDenseNet without bottlenecks ({@code densenet_cifar.py}, e.g. densenet40_k12):
 * a 3×3 stem of 2k channels, three stages of (depth − 4) / 3 units that each append k channels
 * (BN-ReLU-conv3×3 then concatenation), transitions that halve channels and resolution between stages.
 */
public final class CifarDenseNet extends Module {
    private final Sequential features;
    private final Linear output;

    public CifarDenseNet(int depth, int growthRate, int numClasses) {
        int units = (depth - 4) / 3;
        features = child("features", new Sequential());
        int in = 2 * growthRate;
        features.add("init_block", new Conv2d(3, in, 3, 1, 1));
        for (int i = 0; i < 3; i++) {
            Sequential stage = new Sequential();
            if (i != 0) {
                stage.add("trans" + (i + 1), new Transition(in, in / 2));
                in /= 2;
            }
            for (int j = 0; j < units; j++) {
                stage.add("unit" + (j + 1), new Unit(in, growthRate));
                in += growthRate;
            }
            features.add("stage" + (i + 1), stage);
        }
        features.add("post_activ", new PreActivation(in));
        features.add("final_pool", new Lambda(Layers::poolFlatten));
        output = child("output", new Linear(in, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        return output.forward(features.forward(x, training), training);
    }

    /** DenseSimpleUnit: x ⧺ conv(x). */
    static final class Unit extends Module {
        private final PreConvBlock conv;

        Unit(int in, int growth) {
            conv = child("conv", new PreConvBlock(in, growth, 3, 1, 1));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return NDArrays.concat(new NDList(x, conv.forward(x, training)), 1);
        }
    }

    /** TransitionBlock: BN-ReLU-conv1×1 then 2×2 average pooling. */
    static final class Transition extends Module {
        private final PreConvBlock conv;

        Transition(int in, int out) {
            conv = child("conv", new PreConvBlock(in, out, 1, 1, 0));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return Pool.avgPool2d(conv.forward(x, training), new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
        }
    }
}

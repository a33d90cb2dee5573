package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.advkit.model.Layers.ConvBlock;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * A small all-convolutional network for small images of any channel count (MNIST, Fashion-MNIST): conv-BN-ReLU
 * blocks of 16, 32 (then 2×2 max-pool), 64 (max-pool) and 128 channels, global average pooling, a linear
 * classifier; about 11 M multiply-adds for a 28×28 image. Children are named as the equivalent nn.Sequential's
 * ({@code features.block1.conv.weight}, ..., {@code fc.weight}).
 */
public final class SmallCnn extends Module {
    private final Sequential features;
    private final Linear fc;

    public SmallCnn(int channels, int numClasses) {
        features = child("features", new Sequential()
                .add("block1", ConvBlock.conv3x3(channels, 16, 1))
                .add("block2", ConvBlock.conv3x3(16, 32, 1))
                .add("pool1", new Layers.Lambda(SmallCnn::maxPool))
                .add("block3", ConvBlock.conv3x3(32, 64, 1))
                .add("pool2", new Layers.Lambda(SmallCnn::maxPool))
                .add("block4", ConvBlock.conv3x3(64, 128, 1)));
        fc = child("fc", new Linear(128, numClasses));
    }

    private static NDArray maxPool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        return then(then(features.forward(x, training), Layers::poolFlatten), a -> fc.forward(a, training));
    }
}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import io.advkit.model.Layers.BatchNorm2d;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

import java.util.Map;

/**
 * chenyaofo/pytorch-cifar-models' VGG with BatchNorm ({@code vgg.py}): 3×3 convolutions (with bias) → BN → ReLU,
 * 2×2 max-pools between blocks, then Linear 512-512, ReLU, dropout, Linear 512-512, ReLU, dropout, Linear to the
 * classes. Keys as nn.Sequential numbers them: {@code features.0.weight} (conv), {@code features.1.*} (BN), ...,
 * {@code classifier.0/3/6.*}. A family without residual connections: a different kind of surrogate.
 */
public final class ChenyaofoVgg extends Module {
    /** torchvision's configurations: channels, and 0 for a max-pool. */
    static final Map<Integer, int[]> CONFIGS = Map.of(
            11, new int[] {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
            13, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0},
            16, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
            19, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0});

    private final Sequential features;
    private final Sequential classifier;

    public ChenyaofoVgg(int depth, int numClasses) {
        features = child("features", new Sequential());
        int in = 3;
        int index = 0;
        for (int v : CONFIGS.get(depth)) {
            if (v == 0) {
                features.add(Integer.toString(index++), new Lambda(ChenyaofoVgg::maxPool));
            } else {
                features.add(Integer.toString(index++), new Conv2d(in, v, 3, 1, 1, 1, true));
                features.add(Integer.toString(index++), new BatchNorm2d(v));
                features.add(Integer.toString(index++), new Lambda(Activation::relu));
                in = v;
            }
        }
        // dropout is identity in eval mode, and advkit trains VGG without it: only its place in the numbering stays
        classifier = child("classifier", new Sequential()
                .add("0", new Linear(512, 512)).add("1", new Lambda(Activation::relu))
                .add("3", new Linear(512, 512)).add("4", new Lambda(Activation::relu))
                .add("6", new Linear(512, numClasses)));
    }

    private static NDArray maxPool(NDArray x) {
        return Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray f = features.forward(x, training);
        return then(then(f, a -> a.reshape(a.getShape().get(0), -1)), a -> classifier.forward(a, training));
    }
}

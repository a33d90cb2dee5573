package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.BatchNorm2d;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * chenyaofo/pytorch-cifar-models' MobileNetV2 ({@code mobilenetv2.py}, torchvision's with the CIFAR strides): a 3×3
 * stem, then inverted residual blocks — 1×1 expansion (×t) → 3×3 depthwise → 1×1 linear projection, BatchNorm after
 * each convolution, ReLU6 after the first two, the input added back where shape allows — a 1×1 convolution to 1,280
 * channels, global average pooling and a linear classifier. Widths scale by the multiplier, rounded to multiples of
 * 8 as the original does. Keys as nn.Sequential numbers them ({@code features.0.0.weight}, {@code
 * features.2.conv.1.1.running_mean}, {@code classifier.1.weight}). Depthwise separable convolutions and linear
 * bottlenecks: a design family of its own. Its dropout (p 0.2 before the classifier) is the identity in eval mode;
 * advkit trains without it, as for VGG.
 */
public final class ChenyaofoMobileNetV2 extends Module {
    /** t (expansion), c (channels), n (blocks), s (first block's stride); strides 1 in the first two rows for CIFAR. */
    private static final int[][] SETTING = {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
        {6, 160, 3, 2}, {6, 320, 1, 1}};

    private final Sequential features;
    private final Sequential classifier;

    public ChenyaofoMobileNetV2(double widthMult, int numClasses) {
        features = child("features", new Sequential());
        int in = makeDivisible(32 * widthMult);
        int last = makeDivisible(1280 * Math.max(1.0, widthMult));
        int index = 0;
        features.add(Integer.toString(index++), convBnRelu6(3, in, 3, 1, 1));
        for (int[] row : SETTING) {
            int out = makeDivisible(row[1] * widthMult);
            for (int i = 0; i < row[2]; i++) {
                features.add(Integer.toString(index++), new InvertedResidual(in, out, i == 0 ? row[3] : 1, row[0]));
                in = out;
            }
        }
        features.add(Integer.toString(index), convBnRelu6(in, last, 1, 1, 1));
        classifier = child("classifier", new Sequential().add("1", new Linear(last, numClasses)));
    }

    /** The original's _make_divisible(v, 8): the nearest multiple of 8, at least 8, never more than 10% below v. */
    static int makeDivisible(double v) {
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        return r < 0.9 * v ? r + 8 : r;
    }

    /** ConvBNReLU: conv (no bias) → BN → ReLU6. */
    static Sequential convBnRelu6(int in, int out, int kernel, int stride, int groups) {
        return Layers.convBnActivation(in, out, kernel, stride, groups, Activation::relu6);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray f = features.forward(x, training);
        return then(then(f, Layers::poolFlatten), a -> classifier.forward(a, training));
    }

    /** x + conv(x) when the stride is 1 and the widths agree, else conv(x). */
    static final class InvertedResidual extends Module {
        private final Sequential conv;
        private final boolean residual;

        InvertedResidual(int in, int out, int stride, int expand) {
            int hidden = (int) Math.round((double) in * expand);
            residual = stride == 1 && in == out;
            conv = child("conv", new Sequential());
            int k = 0;
            if (expand != 1) {
                conv.add(Integer.toString(k++), convBnRelu6(in, hidden, 1, 1, 1));
            }
            conv.add(Integer.toString(k++), convBnRelu6(hidden, hidden, 3, stride, hidden));
            conv.add(Integer.toString(k++), new Conv2d(hidden, out, 1, 1, 0, 1, false));
            conv.add(Integer.toString(k), new BatchNorm2d(out));
        }

        /** The sum is a residual block's like ResNet's (no activation after it): SGM and ghost erosion reach it. */
        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray y = conv.forward(x, training);
            if (!residual) {
                return y;
            }
            y = then(y, BackwardShaping::residualBranch);
            return addFreeing(BackwardShaping.skip(x), y, x);
        }
    }
}

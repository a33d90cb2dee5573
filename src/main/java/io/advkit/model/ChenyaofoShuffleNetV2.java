package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.BatchNorm2d;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * chenyaofo/pytorch-cifar-models' ShuffleNetV2 ({@code shufflenetv2.py}, torchvision's without the stem's stride and
 * max-pool, for 32×32 images): a 3×3 stem, three stages of units that split the channels in two, transform one half
 * (1×1 → 3×3 depthwise → 1×1, BatchNorm after each) and concatenate it with the other — or, at a stage's first unit
 * (stride 2), transform both halves of a copy — then interleave the two halves' channels (channel shuffle); a 1×1
 * convolution, global average pooling and a linear classifier. Keys as chenyaofo's code names them ({@code
 * conv1.0.weight}, {@code stage2.0.branch1.0.weight}, {@code stage3.1.branch2.5.weight}, {@code fc.weight}). No
 * addition anywhere: a family of its own.
 */
public final class ChenyaofoShuffleNetV2 extends Module {
    /** The widths of stem, stages 2–4 and conv5 per multiplier, as chenyaofo's code lists them. */
    static int[] widths(String multiplier) {
        return switch (multiplier) {
            case "0_5" -> new int[] {24, 48, 96, 192, 1024};
            case "1_0" -> new int[] {24, 116, 232, 464, 1024};
            case "1_5" -> new int[] {24, 176, 352, 704, 1024};
            case "2_0" -> new int[] {24, 244, 488, 976, 2048};
            default -> throw new IllegalArgumentException("ShuffleNetV2 width x" + multiplier);
        };
    }

    private static final int[] REPEATS = {4, 8, 4};

    private final Sequential conv1;
    private final Sequential[] stages = new Sequential[3];
    private final Sequential conv5;
    private final Linear fc;

    public ChenyaofoShuffleNetV2(String multiplier, int numClasses) {
        int[] w = widths(multiplier);
        conv1 = child("conv1", convBnRelu(3, w[0], 3));
        int in = w[0];
        for (int s = 0; s < 3; s++) {
            Sequential stage = new Sequential();
            for (int u = 0; u < REPEATS[s]; u++) {
                stage.add(Integer.toString(u), new Unit(u == 0 ? in : w[s + 1], w[s + 1], u == 0 ? 2 : 1));
            }
            stages[s] = child("stage" + (s + 2), stage);
            in = w[s + 1];
        }
        conv5 = child("conv5", convBnRelu(in, w[4], 1));
        fc = child("fc", new Linear(w[4], numClasses));
    }

    /** conv (no bias) → BN → ReLU, stride 1. */
    private static Sequential convBnRelu(int in, int out, int kernel) {
        return Layers.convBnActivation(in, out, kernel, 1, 1, Activation::relu);
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray y = conv1.forward(x, training);
        for (Sequential stage : stages) {
            y = then(y, a -> stage.forward(a, training));
        }
        y = then(y, a -> conv5.forward(a, training));
        return then(then(y, Layers::poolFlatten), a -> fc.forward(a, training));
    }

    /** torchvision's InvertedResidual of ShuffleNetV2. */
    static final class Unit extends Module {
        private final Sequential branch1; // stride 2 only: the untouched half's own depthwise path
        private final Sequential branch2;

        Unit(int in, int out, int stride) {
            int half = out / 2;
            if (stride > 1) {
                branch1 = child("branch1", new Sequential()
                        .add("0", new Conv2d(in, in, 3, stride, 1, in, false)).add("1", new BatchNorm2d(in))
                        .add("2", new Conv2d(in, half, 1, 1, 0, 1, false)).add("3", new BatchNorm2d(half))
                        .add("4", new Lambda(Activation::relu)));
            } else {
                branch1 = null;
            }
            branch2 = child("branch2", new Sequential()
                    .add("0", new Conv2d(stride > 1 ? in : half, half, 1, 1, 0, 1, false)).add("1", new BatchNorm2d(half))
                    .add("2", new Lambda(Activation::relu))
                    .add("3", new Conv2d(half, half, 3, stride, 1, half, false)).add("4", new BatchNorm2d(half))
                    .add("5", new Conv2d(half, half, 1, 1, 0, 1, false)).add("6", new BatchNorm2d(half))
                    .add("7", new Lambda(Activation::relu)));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray joined;
            if (branch1 == null) {
                NDList halves = x.split(2, 1);
                NDArray b = branch2.forward(halves.get(1), training);
                joined = NDArrays.concat(new NDList(halves.get(0), b), 1);
                b.close();
                halves.close();
            } else {
                NDArray a = branch1.forward(x, training);
                NDArray b = branch2.forward(x, training);
                joined = NDArrays.concat(new NDList(a, b), 1);
                a.close();
                b.close();
            }
            return then(joined, Unit::shuffle);
        }

        /** channel_shuffle(x, 2): the channels of the two halves interleaved (c0, c(C/2), c1, c(C/2+1), ...). */
        static NDArray shuffle(NDArray x) {
            long n = x.getShape().get(0);
            long c = x.getShape().get(1);
            long h = x.getShape().get(2);
            long w = x.getShape().get(3);
            return then(then(x.reshape(n, 2, c / 2, h, w), a -> a.transpose(0, 2, 1, 3, 4)), a -> a.reshape(n, c, h, w));
        }
    }
}

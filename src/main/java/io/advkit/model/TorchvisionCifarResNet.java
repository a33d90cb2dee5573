package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.BatchNorm2d;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * He et al.'s CIFAR ResNet with torchvision-style names, as two popular repositories publish it:
 * {@code conv1}, {@code bn1}, {@code layer1..3.i.{conv1,bn1,conv2,bn2}}, then the classifier. They differ only in
 * where the shape changes ({@link Shortcut}):
 * <ul>
 *   <li>akamaster/pytorch_resnet_cifar10 — the paper's option A: the input subsampled by 2 and its channels
 *       zero-padded, no parameters; classifier {@code linear};</li>
 *   <li>chenyaofo/pytorch-cifar-models — option B: {@code downsample.0} (1×1 conv) and {@code downsample.1}
 *       (BN); classifier {@code fc}.</li>
 * </ul>
 */
public final class TorchvisionCifarResNet extends Module {
    /** How a block's shortcut changes shape, and the naming that goes with it. */
    public enum Shortcut {
        /** Option A (akamaster): subsample and zero-pad; classifier "linear". */
        ZERO_PAD("linear"),
        /** Option B (chenyaofo): 1×1 convolution and BN; classifier "fc". */
        PROJECTION("fc");

        final String classifier;

        Shortcut(String classifier) {
            this.classifier = classifier;
        }
    }

    private final Layers.ConvBn stem;
    private final Sequential[] layers = new Sequential[3];
    private final Linear classifier;

    /** depth 6n+2 (20, 32, 44, 56, 110, 1202): n basic blocks per stage. */
    public TorchvisionCifarResNet(int depth, int numClasses, Shortcut shortcut) {
        int blocks = (depth - 2) / 6;
        stem = convBn(child("conv1", new Conv2d(3, 16, 3, 1, 1)), child("bn1", new BatchNorm2d(16)));
        int in = 16;
        int[] widths = {16, 32, 64};
        for (int i = 0; i < 3; i++) {
            layers[i] = child("layer" + (i + 1), new Sequential());
            for (int j = 0; j < blocks; j++) {
                int stride = j == 0 && i != 0 ? 2 : 1;
                layers[i].add(Integer.toString(j), new BasicBlock(in, widths[i], stride, shortcut));
                in = widths[i];
            }
        }
        classifier = child(shortcut.classifier, new Linear(64, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        BackwardShaping.enterStage(0);
        NDArray y = then(stem.forward(x, training), Activation::relu);
        for (int i = 0; i < layers.length; i++) {
            Sequential layer = layers[i];
            BackwardShaping.enterStage(i + 1, y);
            y = then(y, a -> layer.forward(a, training));
        }
        return then(then(y, Layers::poolFlatten), a -> classifier.forward(a, training));
    }

    static final class BasicBlock extends Module {
        private final Layers.ConvBn first;
        private final Layers.ConvBn second;
        private final boolean reshapes;
        private final Sequential downsample; // option B only
        private final int pad;

        BasicBlock(int in, int out, int stride, Shortcut shortcut) {
            first = convBn(child("conv1", new Conv2d(in, out, 3, stride, 1)), child("bn1", new BatchNorm2d(out)));
            second = convBn(child("conv2", new Conv2d(out, out, 3, 1, 1)), child("bn2", new BatchNorm2d(out)));
            reshapes = stride != 1 || in != out;
            downsample = reshapes && shortcut == Shortcut.PROJECTION
                    ? child("downsample", new Sequential().add("0", new Conv2d(in, out, 1, stride, 0)).add("1", new BatchNorm2d(out)))
                    : null;
            pad = out / 4; // option A: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))
        }

        private NDArray shortcut(NDArray x, boolean training) {
            if (!reshapes) {
                return x;
            }
            if (downsample != null) {
                return downsample.forward(x, training);
            }
            NDArray sub = x.get(":, :, ::2, ::2");
            Shape s = sub.getShape();
            NDArray zeros = x.getManager().zeros(new Shape(s.get(0), pad, s.get(2), s.get(3)), x.getDataType());
            return NDArrays.concat(new NDList(zeros, sub, zeros), 1);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            // each intermediate is freed once read (Module#then): the graph keeps only what backward needs
            NDArray y = first.forward(x, training);
            y = then(y, BackwardShaping::branchRelu);
            y = then(y, a -> second.forward(a, training));
            y = then(y, BackwardShaping::residualBranch);
            return then(addFreeing(y, BackwardShaping.skip(shortcut(x, training)), x), Activation::relu);
        }
    }
}

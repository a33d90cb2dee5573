package io.advkit.model;

import ai.djl.ndarray.NDArray;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.ConvBlock;
import io.advkit.model.Layers.Lambda;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.PreActivation;
import io.advkit.model.Layers.PreConvBlock;
import io.advkit.model.Layers.SEBlock;
import io.advkit.model.Layers.Sequential;

/**
 * pytorchcv's pre-activation family for CIFAR: CIFARPreResNet ({@code preresnet_cifar.py}),
 * CIFARWRN ({@code wrn_cifar.py}, the same units made wider) and CIFARSEPreResNet
 * ({@code sepreresnet_cifar.py}). The shortcut of a resizing unit convolves the first block's
 * pre-activation, not the raw input. The SE variant differs in two places pytorchcv chose: its stem
 * is a conv block with BN and ReLU, and it has no final BN-ReLU ({@code post_activ}). The same units also
 * make PreActResNet-18 (He et al.'s pre-activation ResNet-18 as the CIFAR robustness papers train it):
 * a 64-wide stem and four stages.
 */
public final class CifarPreResNet extends Module {
    private final Sequential features;
    private final Linear output;

    /** PreResNet-depth (bottleneck for 164bn) or, with se, SE-PreResNet-depth. */
    public static CifarPreResNet preResNet(int depth, boolean bottleneck, boolean se, int numClasses) {
        int units = bottleneck ? (depth - 2) / 9 : (depth - 2) / 6;
        int mult = bottleneck ? 4 : 1;
        return new CifarPreResNet(16, units, new int[] {16 * mult, 32 * mult, 64 * mult}, bottleneck, se, numClasses);
    }

    /** WRN-depth-width: (depth − 4) / 6 basic pre-activation units per stage, widths 16k/32k/64k. */
    public static CifarPreResNet wideResNet(int depth, int width, int numClasses) {
        return new CifarPreResNet(16, (depth - 4) / 6, new int[] {16 * width, 32 * width, 64 * width}, false, false, numClasses);
    }

    /**
     * PreActResNet-18 as Wong et al. (fast adversarial training) and RobustBench train it: a 64-wide 3×3 stem, four
     * stages of two basic units, 64/128/256/512 wide, the last at 4×4 (11.2 M parameters). In pytorchcv's terms a
     * CIFARPreResNet with those channels, its final 8×8 pooling made global.
     */
    public static CifarPreResNet preActResNet18(int numClasses) {
        return new CifarPreResNet(64, 2, new int[] {64, 128, 256, 512}, false, false, numClasses);
    }

    private CifarPreResNet(int stem, int units, int[] widths, boolean bottleneck, boolean se, int numClasses) {
        features = child("features", new Sequential());
        features.add("init_block", se ? ConvBlock.conv3x3(3, stem, 1) : new Conv2d(3, stem, 3, 1, 1));
        int in = stem;
        for (int i = 0; i < widths.length; i++) {
            Sequential stage = new Sequential();
            for (int j = 0; j < units; j++) {
                int stride = j == 0 && i != 0 ? 2 : 1;
                stage.add("unit" + (j + 1), new PreResUnit(in, widths[i], stride, bottleneck, se));
                in = widths[i];
            }
            features.add("stage" + (i + 1), stage);
        }
        if (!se) {
            features.add("post_activ", new PreActivation(in));
        }
        features.add("final_pool", new Lambda(Layers::poolFlatten));
        output = child("output", new Linear(in, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        return output.forward(features.forward(x, training), training);
    }

    /** pytorchcv's PreResUnit / SEPreResUnit: body(x) [· se] + shortcut, no activation after the sum. */
    static final class PreResUnit extends Module {
        private final PreConvBlock[] convs;
        private final SEBlock se;
        private final Conv2d identity;

        PreResUnit(int in, int out, int stride, boolean bottleneck, boolean se) {
            Sequential body = child("body", new Sequential());
            if (bottleneck) {
                int mid = out / 4;
                convs = new PreConvBlock[] {new PreConvBlock(in, mid, 1, 1, 0), new PreConvBlock(mid, mid, 3, stride, 1),
                    new PreConvBlock(mid, out, 1, 1, 0)};
            } else {
                convs = new PreConvBlock[] {new PreConvBlock(in, out, 3, stride, 1), new PreConvBlock(out, out, 3, 1, 1)};
            }
            for (int k = 0; k < convs.length; k++) {
                body.add("conv" + (k + 1), convs[k]);
            }
            this.se = se ? child("se", new SEBlock(out, 16)) : null;
            identity = in != out || stride != 1 ? child("identity_conv", new Conv2d(in, out, 1, stride, 0)) : null;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray preact = convs[0].preActivation(x, training);
            NDArray y = convs[0].convolve(preact, training);
            for (int k = 1; k < convs.length; k++) {
                y = convs[k].forward(y, training);
            }
            if (se != null) {
                y = se.forward(y, training);
            }
            return BackwardShaping.residualBranch(y).add(BackwardShaping.skip(identity == null ? x : identity.forward(preact, training)));
        }
    }
}

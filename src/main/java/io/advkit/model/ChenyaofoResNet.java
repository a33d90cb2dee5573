package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.advkit.model.Layers.BatchNorm2d;
import io.advkit.model.Layers.Conv2d;
import io.advkit.model.Layers.Linear;
import io.advkit.model.Layers.Sequential;

/**
 * chenyaofo/pytorch-cifar-models' CifarResNet (torchvision-style names): {@code conv1}, {@code bn1},
 * {@code layer1..3.i.{conv1,bn1,conv2,bn2}}, option-B shortcuts {@code downsample.0} (1×1 conv) and
 * {@code downsample.1} (BN) where the shape changes, then {@code fc}.
 */
public final class ChenyaofoResNet extends Module {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Sequential[] layers = new Sequential[3];
    private final Linear fc;

    /** depth 20, 32, 44 or 56: (depth − 2) / 6 blocks per stage. */
    public ChenyaofoResNet(int depth, int numClasses) {
        int blocks = (depth - 2) / 6;
        conv1 = child("conv1", new Conv2d(3, 16, 3, 1, 1));
        bn1 = child("bn1", new BatchNorm2d(16));
        int in = 16;
        int[] widths = {16, 32, 64};
        for (int i = 0; i < 3; i++) {
            layers[i] = child("layer" + (i + 1), new Sequential());
            for (int j = 0; j < blocks; j++) {
                int stride = j == 0 && i != 0 ? 2 : 1;
                layers[i].add(Integer.toString(j), new BasicBlock(in, widths[i], stride));
                in = widths[i];
            }
        }
        fc = child("fc", new Linear(64, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray y = Activation.relu(bn1.forward(conv1.forward(x, training), training));
        for (Sequential layer : layers) {
            y = layer.forward(y, training);
        }
        return fc.forward(Layers.poolFlatten(y), training);
    }

    static final class BasicBlock extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;
        private final Sequential downsample;

        BasicBlock(int in, int out, int stride) {
            conv1 = child("conv1", new Conv2d(in, out, 3, stride, 1));
            bn1 = child("bn1", new BatchNorm2d(out));
            conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
            bn2 = child("bn2", new BatchNorm2d(out));
            downsample = stride != 1 || in != out
                    ? child("downsample", new Sequential().add("0", new Conv2d(in, out, 1, stride, 0)).add("1", new BatchNorm2d(out)))
                    : null;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray y = Activation.relu(bn1.forward(conv1.forward(x, training), training));
            y = bn2.forward(conv2.forward(y, training), training);
            return Activation.relu(y.add(downsample == null ? x : downsample.forward(x, training)));
        }
    }
}

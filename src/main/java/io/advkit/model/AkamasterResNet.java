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
 * akamaster/pytorch_resnet_cifar10's ResNet: {@code conv1}, {@code bn1}, {@code layer1..3.i.{conv1,bn1,conv2,bn2}},
 * {@code linear}, with the paper's option-A shortcut: where the shape changes, the input is subsampled
 * by 2 and its channels zero-padded, so shortcuts have no parameters.
 */
public final class AkamasterResNet extends Module {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Sequential[] layers = new Sequential[3];
    private final Linear linear;

    /** depth 20, 32, 44, 56 or 110. */
    public AkamasterResNet(int depth, int numClasses) {
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
        linear = child("linear", new Linear(64, numClasses));
    }

    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray y = Activation.relu(bn1.forward(conv1.forward(x, training), training));
        for (Sequential layer : layers) {
            y = layer.forward(y, training);
        }
        return linear.forward(Layers.poolFlatten(y), training);
    }

    static final class BasicBlock extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;
        private final boolean optionA;
        private final int pad;

        BasicBlock(int in, int out, int stride) {
            conv1 = child("conv1", new Conv2d(in, out, 3, stride, 1));
            bn1 = child("bn1", new BatchNorm2d(out));
            conv2 = child("conv2", new Conv2d(out, out, 3, 1, 1));
            bn2 = child("bn2", new BatchNorm2d(out));
            optionA = stride != 1 || in != out;
            pad = out / 4; // F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))
        }

        private NDArray shortcut(NDArray x) {
            if (!optionA) {
                return x;
            }
            NDArray sub = x.get(":, :, ::2, ::2");
            Shape s = sub.getShape();
            NDArray zeros = x.getManager().zeros(new Shape(s.get(0), pad, s.get(2), s.get(3)), x.getDataType());
            return NDArrays.concat(new NDList(zeros, sub, zeros), 1);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray y = Activation.relu(bn1.forward(conv1.forward(x, training), training));
            y = bn2.forward(conv2.forward(y, training), training);
            return Activation.relu(y.add(shortcut(x)));
        }
    }
}

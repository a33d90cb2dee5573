package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.Initializer;

/** The PyTorch layers the CIFAR architectures are built from, with PyTorch's names and default initialization. */
public final class Layers {
    private Layers() {}

    /** Uniform in [-bound, bound]; the engine's random seed makes it reproducible. */
    static Initializer uniform(double bound) {
        return (NDManager m, Shape shape, ai.djl.ndarray.types.DataType t) -> m.randomUniform((float) -bound, (float) bound, shape, t);
    }

    /** nn.Conv2d: parameters {@code weight} [out, in/groups, k, k] and optionally {@code bias}. */
    public static final class Conv2d extends Module {
        private final Parameter weight;
        private final Parameter bias;
        private final Shape stride;
        private final Shape padding;
        private final int groups;

        public Conv2d(int in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
            int fanIn = in / groups * kernel * kernel;
            // pytorchcv's _init_params and torchvision both use Kaiming-uniform (gain √2): bound = √(6 / fan_in)
            this.weight = param("weight", Parameter.Type.WEIGHT, new Shape(out, in / groups, kernel, kernel),
                    uniform(Math.sqrt(6.0 / fanIn)));
            this.bias = bias ? param("bias", Parameter.Type.BIAS, new Shape(out), Initializer.ZEROS) : null;
            this.stride = new Shape(stride, stride);
            this.padding = new Shape(padding, padding);
            this.groups = groups;
        }

        public Conv2d(int in, int out, int kernel, int stride, int padding) {
            this(in, out, kernel, stride, padding, 1, false);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return forwardWith(x, weight.getArray(), bias == null ? null : bias.getArray());
        }

        /** This convolution's geometry with other weights (a folded BatchNorm's). */
        NDArray forwardWith(NDArray x, NDArray w, NDArray b) {
            if (StridedPointwise.crashes(w.getShape(), groups, stride, padding)) { // see there: the engine's own way kills the process
                Shape one = new Shape(1, 1);
                return StridedPointwise.run(x, stride, in -> ai.djl.nn.convolutional.Conv2d.conv2d(in, w, b, one, padding, one, groups).singletonOrThrow());
            }
            if (ChannelTails.padded(w.getShape(), groups, stride)) { // see there: the engine gets these channel counts wrong
                return ChannelTails.run(x, w, b, stride, (xp, wp, bp) -> ai.djl.nn.convolutional.Conv2d.conv2d(xp, wp, bp, stride, padding, new Shape(1, 1), groups).singletonOrThrow());
            }
            return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, stride, padding, new Shape(1, 1), groups).singletonOrThrow();
        }

        /** Whether its weights are being trained (then nothing may be computed from them once and kept). */
        boolean trainable() {
            return weight.requiresGradient();
        }

        NDArray weight() {
            return weight.getArray();
        }

        NDArray biasOrNull() {
            return bias == null ? null : bias.getArray();
        }
    }

    /**
     * A convolution followed by BatchNorm. In inference on frozen weights it runs as one convolution with the
     * BatchNorm folded in: BN(conv(x, w) + c) = conv(x, w·s) + (c − μ)·s + β with s = γ/√(σ² + ε), per output channel —
     * the same function (up to float rounding) for one pass over the activations instead of two, forward and backward.
     * The folded weights are computed at the first such forward and kept until the weights change or are unfrozen
     * ({@link Module#forgetDerivedWeights}); in training, or while the weights are trainable, it is conv then BN.
     */
    public static final class ConvBn {
        /** Off only to measure what folding saves ({@code advkit bench --unfolded}); process-wide. */
        private static volatile boolean folding = true;

        private final Conv2d conv;
        private final BatchNorm2d bn;
        private NDArray w;
        private NDArray b;

        ConvBn(Conv2d conv, BatchNorm2d bn) {
            this.conv = conv;
            this.bn = bn;
        }

        /** Turns folding off (conv then BatchNorm, as in training) or back on, for every ConvBn of the process. */
        public static void setFolding(boolean on) {
            folding = on;
        }

        public NDArray forward(NDArray x, boolean training) {
            if (training || conv.trainable() || !folding) {
                return Module.then(conv.forward(x, training), a -> bn.forward(a, training));
            }
            if (w == null) { // in the weights' manager, so every intermediate is closed here: this may run once per training batch
                NDArray variance = bn.runningVar.getArray().add(1e-5f);
                NDArray sd = variance.sqrt();
                NDArray s = bn.gamma.getArray().div(sd);
                NDArray shift = conv.biasOrNull() == null ? bn.runningMean.getArray().neg() : conv.biasOrNull().sub(bn.runningMean.getArray());
                NDArray column = s.reshape(-1, 1, 1, 1);
                NDArray shifted = shift.mul(s);
                w = conv.weight().mul(column);
                b = shifted.add(bn.beta.getArray());
                for (NDArray t : new NDArray[] {variance, sd, s, shift, column, shifted}) {
                    t.close();
                }
            }
            return conv.forwardWith(x, w, b);
        }

        void forget() {
            if (w != null) {
                w.close();
                b.close();
                w = null;
                b = null;
            }
        }
    }

    /**
     * nn.BatchNorm2d (eps 1e-5, momentum 0.1): {@code weight}, {@code bias}, {@code running_mean},
     * {@code running_var}. The count {@code num_batches_tracked} is kept as a plain number: it only
     * matters when momentum is None, which no architecture here uses.
     */
    public static final class BatchNorm2d extends Module {
        final Parameter gamma;
        final Parameter beta;
        final Parameter runningMean;
        final Parameter runningVar;
        private long batchesTracked;

        public BatchNorm2d(int channels) {
            Shape s = new Shape(channels);
            gamma = param("weight", Parameter.Type.GAMMA, s, Initializer.ONES);
            beta = param("bias", Parameter.Type.BETA, s, Initializer.ZEROS);
            runningMean = param("running_mean", Parameter.Type.RUNNING_MEAN, s, Initializer.ZEROS);
            runningVar = param("running_var", Parameter.Type.RUNNING_VAR, s, Initializer.ONES);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            if (training) {
                batchesTracked++;
            }
            // DJL's momentum is the weight of the old running value: 0.9 here = PyTorch's momentum 0.1
            return BatchNorm.batchNorm(x, runningMean.getArray(), runningVar.getArray(), gamma.getArray(),
                    beta.getArray(), 1, 0.9f, 1e-5f, training).singletonOrThrow();
        }

        public long batchesTracked() {
            return batchesTracked;
        }

        public void setBatchesTracked(long n) {
            batchesTracked = n;
        }
    }

    /** nn.Linear: {@code weight} [out, in], {@code bias} [out], PyTorch's default uniform(±1/√in) init. */
    public static final class Linear extends Module {
        private final Parameter weight;
        private final Parameter bias;

        public Linear(int in, int out) {
            double bound = 1.0 / Math.sqrt(in);
            weight = param("weight", Parameter.Type.WEIGHT, new Shape(out, in), uniform(bound));
            bias = param("bias", Parameter.Type.BIAS, new Shape(out), uniform(bound));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return ai.djl.nn.core.Linear.linear(x, weight.getArray(), bias.getArray()).singletonOrThrow();
        }
    }

    /** Conv → BN → optional ReLU (pytorchcv's ConvBlock: children {@code conv}, {@code bn}). */
    public static final class ConvBlock extends Module {
        private final ConvBn convBn;
        private final boolean relu;

        public ConvBlock(int in, int out, int kernel, int stride, int padding, int groups, boolean relu) {
            convBn = convBn(child("conv", new Conv2d(in, out, kernel, stride, padding, groups, false)), child("bn", new BatchNorm2d(out)));
            this.relu = relu;
        }

        public static ConvBlock conv3x3(int in, int out, int stride) {
            return new ConvBlock(in, out, 3, stride, 1, 1, true);
        }

        public static ConvBlock conv1x1(int in, int out, int stride, boolean relu) {
            return new ConvBlock(in, out, 1, stride, 0, 1, relu);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray y = convBn.forward(x, training);
            return relu ? then(y, BackwardShaping::branchRelu) : y; // in a stem, stage 0: never linearized
        }
    }

    /**
     * torchvision's {@code nn.Sequential(conv, bn, activation)} with keys 0, 1, 2 (2 holds no weights): the
     * convolution has no bias and "same" padding, as in MobileNetV2's ConvBNReLU and ShuffleNetV2's stem and conv5.
     */
    public static Sequential convBnActivation(int in, int out, int kernel, int stride, int groups,
                                              java.util.function.UnaryOperator<NDArray> activation) {
        return new Sequential()
                .add("0", new Conv2d(in, out, kernel, stride, (kernel - 1) / 2, groups, false))
                .add("1", new BatchNorm2d(out))
                .add("2", new Lambda(activation));
    }

    /** BN → ReLU → Conv (pytorchcv's PreConvBlock: children {@code bn}, {@code conv}). */
    public static final class PreConvBlock extends Module {
        private final BatchNorm2d bn;
        private final Conv2d conv;

        public PreConvBlock(int in, int out, int kernel, int stride, int padding) {
            bn = child("bn", new BatchNorm2d(in));
            conv = child("conv", new Conv2d(in, out, kernel, stride, padding));
        }

        /** The activation before the convolution, which pre-activation units route to their shortcut. */
        public NDArray preActivation(NDArray x, boolean training) {
            return BackwardShaping.branchRelu(bn.forward(x, training));
        }

        public NDArray convolve(NDArray preact, boolean training) {
            return conv.forward(preact, training);
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return convolve(preActivation(x, training), training);
        }
    }

    /** BN → ReLU (pytorchcv's PreResActivation: child {@code bn}). */
    public static final class PreActivation extends Module {
        private final BatchNorm2d bn;

        public PreActivation(int channels) {
            bn = child("bn", new BatchNorm2d(channels));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return Activation.relu(bn.forward(x, training));
        }
    }

    /** Squeeze-and-excitation with 1×1 convolutions (pytorchcv's SEBlock: {@code conv1}, {@code conv2}). */
    public static final class SEBlock extends Module {
        private final Conv2d conv1;
        private final Conv2d conv2;

        public SEBlock(int channels, int reduction) {
            int mid = channels / reduction;
            conv1 = child("conv1", new Conv2d(channels, mid, 1, 1, 0, 1, true));
            conv2 = child("conv2", new Conv2d(mid, channels, 1, 1, 0, 1, true));
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray w = globalAvgPool(x);
            w = Activation.sigmoid(conv2.forward(Activation.relu(conv1.forward(w, training)), training));
            return x.mul(w);
        }
    }

    /** Average over H and W keeping the dimensions: N×C×H×W → N×C×1×1. */
    public static NDArray globalAvgPool(NDArray x) {
        return Pool.globalAvgPool2d(x).reshape(x.getShape().get(0), x.getShape().get(1), 1, 1);
    }

    /** Global average pooling then flattening: N×C×H×W → N×C. */
    public static NDArray poolFlatten(NDArray x) {
        return Pool.globalAvgPool2d(x).reshape(x.getShape().get(0), -1);
    }

    /** A container running its named children in order (nn.Sequential with named modules). */
    public static final class Sequential extends Module {
        /** A convolution directly followed by BatchNorm, by the convolution's name: run as one {@link ConvBn}. */
        private final java.util.Map<String, ConvBn> folds = new java.util.HashMap<>();
        private String last;

        public Sequential add(String name, Module m) {
            if (m instanceof BatchNorm2d bn && last != null && namedChildren().get(last) instanceof Conv2d conv) {
                folds.put(last, convBn(conv, bn));
            }
            child(name, m);
            last = name;
            return this;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            NDArray y = x;
            ConvBn pending = null; // the fold whose BatchNorm comes next: that child is then skipped
            for (var e : namedChildren().entrySet()) {
                markStage(e.getKey(), y);
                if (pending != null) {
                    pending = null;
                    continue;
                }
                ConvBn fold = folds.get(e.getKey());
                Module m = e.getValue();
                java.util.function.UnaryOperator<NDArray> step = fold != null ? a -> fold.forward(a, training) : a -> m.forward(a, training);
                y = y == x ? step.apply(y) : then(y, step); // x is the caller's
                pending = fold;
            }
            return y;
        }
    }

    /** pytorchcv names its stem "init_block" and its stages "stage1".."stageN": where LinBP's stages are. */
    private static void markStage(String child, NDArray input) {
        if (child.equals("init_block")) {
            BackwardShaping.enterStage(0);
        } else if (child.startsWith("stage") && child.length() > 5 && child.substring(5).chars().allMatch(Character::isDigit)) {
            BackwardShaping.enterStage(Integer.parseInt(child.substring(5)), input);
        }
    }

    /** A parameter-free step inside a Sequential (pooling, activation). */
    public static final class Lambda extends Module {
        private final java.util.function.UnaryOperator<NDArray> f;

        public Lambda(java.util.function.UnaryOperator<NDArray> f) {
            this.f = f;
        }

        @Override
        public NDArray forward(NDArray x, boolean training) {
            return f.apply(x);
        }
    }
}

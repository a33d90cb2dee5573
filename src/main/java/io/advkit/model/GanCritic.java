package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * WGAN-GP's critic: two 4×4 stride-2 convolutions (width/2 then width channels) with leaky ReLUs (slope 0.2), a linear
 * layer to one score. No BatchNorm, as Gulrajani et al. (2017) require: the gradient penalty is per example, and batch
 * statistics would couple the examples.
 */
public final class GanCritic extends Module {
    private final Layers.Conv2d conv1;
    private final Layers.Conv2d conv2;
    private final Layers.Linear fc;

    public GanCritic(GanGenerator.Spec spec) {
        conv1 = child("conv1", new Layers.Conv2d(spec.channels(), spec.width() / 2, 4, 2, 1, 1, true));
        conv2 = child("conv2", new Layers.Conv2d(spec.width() / 2, spec.width(), 4, 2, 1, 1, true));
        int base = spec.size() / 4;
        fc = child("fc", new Layers.Linear(spec.width() * base * base, 1));
    }

    /** One score per image (N), higher for images the critic takes for real ones. */
    @Override
    public NDArray forward(NDArray x, boolean training) {
        NDArray h = then(conv1.forward(x, training), a -> Activation.leakyRelu(a, 0.2f));
        h = then(then(h, a -> conv2.forward(a, training)), a -> Activation.leakyRelu(a, 0.2f));
        long n = x.getShape().get(0);
        return then(then(h, a -> a.reshape(n, -1)), a -> fc.forward(a, training)).reshape(n);
    }

    public static GanCritic create(GanGenerator.Spec spec, ai.djl.ndarray.NDManager manager) {
        GanCritic c = new GanCritic(spec);
        c.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, spec.channels(), spec.size(), spec.size()));
        return c;
    }
}

package io.advkit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.checkpoint.StateDict;

/**
 * A network with its normalization: the {@link Classifier} every command works with. It owns the
 * native memory of its parameters; close it when done.
 */
public final class ZooModel implements LoadedClassifier {
    private final String name;
    private final String arch;
    private final Module net;
    private final Normalization normalization;
    private final int numClasses;
    private final int channels;
    private final NDManager manager;
    private final NDArray mean;
    private final NDArray std;

    private ZooModel(String name, String arch, Module net, Normalization normalization, int numClasses, int channels,
                     NDManager manager) {
        this.name = name;
        this.arch = arch;
        this.net = net;
        this.normalization = normalization;
        this.numClasses = numClasses;
        this.channels = channels;
        this.manager = manager;
        // "none" costs nothing: no subtraction and division on every forward
        this.mean = normalization.isIdentity() ? null : normalization.meanArray(manager, channels);
        this.std = normalization.isIdentity() ? null : normalization.stdArray(manager, channels);
    }

    /** A freshly initialized RGB network (weights drawn with {@code seed}), trainable. */
    public static ZooModel create(String name, String arch, int numClasses, Normalization normalization, long seed) {
        return create(name, arch, numClasses, 3, normalization, seed);
    }

    /** A freshly initialized network for {@code channels}-channel images, trainable. */
    public static ZooModel create(String name, String arch, int numClasses, int channels, Normalization normalization, long seed) {
        NDManager manager = NDManager.newBaseManager();
        try {
            Module net = Architectures.create(arch, numClasses, channels);
            Engine.getInstance().setRandomSeed((int) seed);
            net.initialize(manager);
            return new ZooModel(name, arch, net, normalization, numClasses, channels, manager);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** A network with the given weights, frozen for inference and attacks. */
    public static ZooModel load(String name, String arch, int numClasses, Normalization normalization, StateDict weights,
                                String where) {
        return load(name, arch, numClasses, 3, normalization, weights, where);
    }

    /** A {@code channels}-channel network with the given weights, frozen for inference and attacks. */
    public static ZooModel load(String name, String arch, int numClasses, int channels, Normalization normalization,
                                StateDict weights, String where) {
        ZooModel m = create(name, arch, numClasses, channels, normalization, 0);
        try {
            StateDictBinder.load(m.net, weights, where, arch);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        m.net.setTrainable(false);
        return m;
    }

    @Override
    public NDArray logits(NDArray pixels) {
        return logits(pixels, false);
    }

    /** Logits with BatchNorm in training mode (batch statistics, running averages updated) when {@code training}. */
    public NDArray logits(NDArray pixels, boolean training) {
        if (mean == null) {
            return net.forward(pixels, training);
        }
        return Module.then(Module.then(pixels.sub(mean), a -> a.div(std)), a -> net.forward(a, training));
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int channels() {
        return channels;
    }

    public String arch() {
        return arch;
    }

    public Module net() {
        return net;
    }

    public Normalization normalization() {
        return normalization;
    }

    public NDManager manager() {
        return manager;
    }

    public StateDict stateDict() {
        return StateDictBinder.export(net);
    }

    @Override
    public void close() {
        manager.close();
    }
}

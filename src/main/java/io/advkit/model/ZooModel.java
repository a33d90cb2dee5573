package io.advkit.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advkit.checkpoint.StateDict;

/**
 * A network with its normalization: the {@link Classifier} every command works with. It owns the
 * native memory of its parameters; close it when done.
 */
public final class ZooModel implements Classifier, AutoCloseable {
    private final String name;
    private final String arch;
    private final Module net;
    private final Normalization normalization;
    private final int numClasses;
    private final NDManager manager;
    private final NDArray mean;
    private final NDArray std;

    private ZooModel(String name, String arch, Module net, Normalization normalization, int numClasses, NDManager manager) {
        this.name = name;
        this.arch = arch;
        this.net = net;
        this.normalization = normalization;
        this.numClasses = numClasses;
        this.manager = manager;
        this.mean = normalization.meanArray(manager);
        this.std = normalization.stdArray(manager);
    }

    /** A freshly initialized network (weights drawn with {@code seed}), trainable. */
    public static ZooModel create(String name, String arch, int numClasses, Normalization normalization, long seed) {
        NDManager manager = NDManager.newBaseManager();
        Module net = Architectures.create(arch, numClasses);
        Engine.getInstance().setRandomSeed((int) seed);
        net.initialize(manager);
        return new ZooModel(name, arch, net, normalization, numClasses, manager);
    }

    /** A network with the given weights, frozen for inference and attacks. */
    public static ZooModel load(String name, String arch, int numClasses, Normalization normalization, StateDict weights,
                                String where) {
        ZooModel m = create(name, arch, numClasses, normalization, 0);
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

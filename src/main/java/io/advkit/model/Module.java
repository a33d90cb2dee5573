package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose children and parameters carry PyTorch's names, so that {@link #namedParameters()}
 * yields exactly the keys of the equivalent {@code nn.Module.state_dict()} ("features.stage1.unit1.body.conv1.conv.weight").
 * Parameter shapes are fixed at construction, so a module can be initialized without a sample input.
 *
 * <p>Subclasses implement {@link #forward(NDArray, boolean)}; DJL's {@code forward(ParameterStore, ...)}
 * delegates to it. Parameters are read straight from their arrays: on one CPU device a parameter store
 * would only add a copy-free indirection, and would cache arrays across weight loads.
 */
public abstract class Module extends AbstractBlock {
    private final Map<String, Module> namedChildren = new LinkedHashMap<>();
    private final Map<String, Parameter> namedParams = new LinkedHashMap<>();
    private final java.util.List<Layers.ConvBn> folds = new java.util.ArrayList<>();

    /** Runs the module; {@code training} selects batch statistics in BatchNorm. */
    public abstract NDArray forward(NDArray x, boolean training);

    /**
     * {@code op} applied to an intermediate result that nothing else reads, which is freed right after. The autograd
     * graph holds its own reference to whatever its backward pass needs, so dropping ours lets the engine release
     * the rest at once, as PyTorch does when a Python temporary goes out of scope; otherwise every activation of a
     * forward pass would live until its manager closes (for a ResNet block, 7 tensors where backward keeps 4).
     * Never pass a module's own input: that belongs to the caller.
     */
    public static NDArray then(NDArray intermediate, java.util.function.UnaryOperator<NDArray> op) {
        NDArray out = op.apply(intermediate);
        if (out != intermediate) {
            intermediate.close();
        }
        return out;
    }

    /** {@code a + b}, both intermediates freed afterwards unless one is {@code keep} (a block's own input). */
    public static NDArray addFreeing(NDArray a, NDArray b, NDArray keep) {
        NDArray sum = a.add(b);
        if (a != keep) {
            a.close();
        }
        if (b != keep) {
            b.close();
        }
        return sum;
    }

    protected final <M extends Module> M child(String name, M module) {
        addChildBlock(name, module);
        namedChildren.put(name, module);
        return module;
    }

    /** A convolution and the BatchNorm after it, run folded in frozen inference (see {@link Layers.ConvBn}). */
    protected final Layers.ConvBn convBn(Layers.Conv2d conv, Layers.BatchNorm2d bn) {
        Layers.ConvBn f = new Layers.ConvBn(conv, bn);
        folds.add(f);
        return f;
    }

    /** Drops what was computed from the weights (folded convolutions), here and below: they changed or were unfrozen. */
    public void forgetDerivedWeights() {
        folds.forEach(Layers.ConvBn::forget);
        namedChildren.values().forEach(Module::forgetDerivedWeights);
    }

    protected final Parameter param(String name, Parameter.Type type, Shape shape,
                                    ai.djl.training.initializer.Initializer init) {
        Parameter p = Parameter.builder().setName(name).setType(type).optShape(shape).optInitializer(init)
                .optRequiresGrad(type != Parameter.Type.RUNNING_MEAN && type != Parameter.Type.RUNNING_VAR).build();
        addParameter(p);
        namedParams.put(name, p);
        return p;
    }

    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(namedChildren);
    }

    /** Every parameter and buffer below this module under its PyTorch state_dict key, in registration order. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        namedParams.forEach((n, p) -> out.put(prefix + n, p));
        namedChildren.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /** Every module below (and including) this one, by dotted path ("" for this one). */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        out.put("", this);
        namedChildren.forEach((n, m) -> m.namedModules().forEach((k, v) -> out.put(k.isEmpty() ? n : n + "." + k, v)));
        return out;
    }

    /** The parameters an optimizer updates, by state_dict key: learnable ones whose gradients are on (not running statistics). */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        namedParameters().forEach((k, p) -> {
            if (p.requiresGradient()) {
                out.put(k, p);
            }
        });
        return out;
    }

    /** Number of learnable values (weights and biases, not BatchNorm running statistics). */
    public long learnableParameterCount() {
        return trainableParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
    }

    /** Creates every parameter's array with its initializer; call once, with the seed set on the engine. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, new Shape(1, 3, 32, 32));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (Module m : namedChildren.values()) {
            m.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    protected final NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                           PairList<String, Object> params) {
        return new NDList(forward(inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        // shapes follow from running the module once on zeros: exact for every architecture, no per-layer algebra
        try (NDManager m = NDManager.newBaseManager()) {
            return new Shape[] {forward(m.zeros(inputShapes[0]), false).getShape()};
        }
    }

    /** Turns weight gradients on or off: attacks need only input gradients, so they freeze the weights. */
    public void setTrainable(boolean trainable) {
        for (Parameter p : namedParameters().values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                p.freeze(!trainable);
            }
        }
        forgetDerivedWeights();
    }
}

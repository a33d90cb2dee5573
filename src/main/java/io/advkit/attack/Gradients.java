package io.advkit.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.engine.EngineException;
import ai.djl.training.GradientCollector;
import io.advkit.util.Interruption;

import java.util.function.UnaryOperator;

/** Gradients of an objective with respect to the input pixels. */
public final class Gradients {
    private Gradients() {}

    /** Per-example objective values, their input gradient, and (when known from the same pass) the logits. */
    public record ValueAndGradient(NDArray value, NDArray gradient, NDArray logits) {}

    /**
     * ∇ₓ Σᵢ fᵢ(x): examples are independent, so the gradient of the sum holds each example's own gradient.
     * The returned arrays live in {@code manager}; x itself is not modified.
     */
    public static ValueAndGradient of(Objective f, NDArray x, NDManager manager) {
        Interruption.check(); // between passes, never inside one
        // the forward graph lives in its own manager, freed as soon as the gradient is out: attacks that take
        // many gradients per step (VMI, EoT) then hold one graph at a time, not one per gradient
        try (NDManager pass = manager.newSubManager()) {
            NDArray xi = x.duplicate();
            xi.attach(pass);
            xi.setRequiresGradient(true);
            NDArray value;
            boolean connected = true;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                value = f.value(xi);
                try {
                    gc.backward(value.sum());
                } catch (EngineException e) {
                    // every path from x is cut (a non-differentiable defense seen naively): to the attacker that
                    // is a zero gradient, not an error. (DJL offers no safe test beforehand: its requiresGrad()
                    // is false for any non-leaf tensor and its grad_fn query crashes when there is none.)
                    if (!String.valueOf(e.getMessage()).contains("does not require grad")) {
                        throw e;
                    }
                    connected = false;
                }
            }
            NDArray grad = connected ? xi.getGradient() : manager.zeros(x.getShape(), x.getDataType());
            grad.attach(manager);
            NDArray v = value.stopGradient();
            v.attach(manager);
            return new ValueAndGradient(v, grad, null);
        }
    }

    /**
     * Expectation over Transformation (Athalye et al. 2018): value and gradient averaged over {@code samples}
     * evaluations of a random objective (each draws anew). One sample is {@link #of}.
     */
    public static ValueAndGradient averaged(Objective f, NDArray x, NDManager manager, int samples) {
        ValueAndGradient first = of(f, x, manager);
        if (samples <= 1) {
            return first;
        }
        NDArray value = first.value();
        NDArray grad = first.gradient();
        for (int k = 1; k < samples; k++) {
            ValueAndGradient r = of(f, x, manager);
            value = value.add(r.value());
            grad = grad.add(r.gradient());
        }
        return new ValueAndGradient(value.div(samples), grad.div(samples), null);
    }

    /**
     * Like {@link #of}, for an objective that is a loss of the logits computed once: also returns those
     * logits, so the caller gets the prediction without another forward pass.
     */
    public static ValueAndGradient withLogits(UnaryOperator<NDArray> logitsOf, UnaryOperator<NDArray> lossOfLogits,
                                              NDArray x, NDManager manager) {
        NDArray[] z = new NDArray[1];
        ValueAndGradient r = of(xi -> {
            NDArray logits = logitsOf.apply(xi);
            z[0] = logits.stopGradient();
            z[0].attach(manager); // survives the pass's manager
            return lossOfLogits.apply(logits);
        }, x, manager);
        return new ValueAndGradient(r.value(), r.gradient(), z[0]);
    }
}

package io.advkit.attack;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

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
        NDArray xi = x.duplicate();
        xi.attach(manager);
        xi.setRequiresGradient(true);
        NDArray value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            value = f.value(xi);
            gc.backward(value.sum());
        }
        NDArray grad = xi.getGradient();
        grad.attach(manager);
        return new ValueAndGradient(value.stopGradient(), grad, null);
    }

    /**
     * Like {@link #of}, for an objective that is a loss of the logits computed once: also returns those
     * logits, so the caller gets the prediction without another forward pass.
     */
    public static ValueAndGradient withLogits(UnaryOperator<NDArray> logitsOf, UnaryOperator<NDArray> lossOfLogits,
                                              NDArray x, NDManager manager) {
        NDArray[] z = new NDArray[1];
        ValueAndGradient r = of(xi -> {
            z[0] = logitsOf.apply(xi);
            return lossOfLogits.apply(z[0]);
        }, x, manager);
        return new ValueAndGradient(r.value(), r.gradient(), z[0].stopGradient());
    }
}

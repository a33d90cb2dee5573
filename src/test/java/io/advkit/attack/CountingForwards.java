package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import io.advkit.model.Classifier;

/** A model that counts its forward passes: what an attack's cost is, in passes. */
final class CountingForwards implements Classifier {
    private final Classifier inner;
    int calls;

    CountingForwards(Classifier inner) {
        this.inner = inner;
    }

    @Override
    public NDArray logits(NDArray x) {
        calls++;
        return inner.logits(x);
    }

    @Override
    public int numClasses() {
        return inner.numClasses();
    }

    @Override
    public String name() {
        return "counting";
    }
}

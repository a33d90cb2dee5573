package io.advkit.attack;

import ai.djl.ndarray.NDArray;

import java.util.Random;

/** A differentiable transform applied to the input before each gradient (input diversity, EoT draws). */
@FunctionalInterface
public interface InputTransform {
    NDArray apply(NDArray x, Random rng);

    InputTransform IDENTITY = (x, rng) -> x;
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;

import java.util.Random;

/** Additive Gaussian noise x + σ·N(0, I), clipped to [0,1]; random and differentiable. */
public final class GaussianNoise implements Preprocessor {
    private final double sigma;

    public GaussianNoise(double sigma) {
        if (!(sigma >= 0)) {
            throw io.advkit.util.UserError.invalid("defense", "noise sigma must be non-negative");
        }
        this.sigma = sigma;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        // the engine draws the noise; seed it from rng so a defense's draws follow its own seed
        ai.djl.engine.Engine.getInstance().setRandomSeed(rng.nextInt());
        return x.add(x.getManager().randomNormal(x.getShape()).mul((float) sigma)).clip(0, 1);
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    public String name() {
        return "noise:" + sigma;
    }
}

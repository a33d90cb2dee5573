package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Scalars;

import java.util.Random;

/** Feature squeezing by bit depth (Xu et al. 2018): x → round(x·(2ᵇ − 1)) / (2ᵇ − 1). Not differentiable (zero gradient). */
public final class BitDepthReduction implements Preprocessor {
    private final int bits;

    public BitDepthReduction(int bits) {
        if (bits < 1 || bits > 8) {
            throw io.advkit.util.UserError.invalid("defense", "bit depth must be 1..8, got " + bits);
        }
        this.bits = bits;
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        float levels = (1 << bits) - 1;
        return Scalars.over(Scalars.times(x, levels).round(), levels);
    }

    @Override
    public boolean differentiable() {
        return false;
    }

    /** The same rounding with ⌊v⌉ + (v − ⌊v⌉)³ for ⌊v⌉ (Shin and Song 2017's approximation, as in the JPEG one). */
    @Override
    public NDArray differentiableApproximation(NDArray x) {
        float levels = (1 << bits) - 1;
        NDArray v = Scalars.times(x, levels);
        NDArray r = v.round().stopGradient();
        NDArray e = v.sub(r);
        return Scalars.over(r.add(e.mul(e).mul(e)), levels);
    }

    @Override
    public String name() {
        return "bitdepth:" + bits;
    }
}

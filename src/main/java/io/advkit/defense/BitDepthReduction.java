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

    @Override
    public String name() {
        return "bitdepth:" + bits;
    }
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.TranslationInvariance;
import io.advkit.util.UserError;

import java.util.Random;

/**
 * Smoothing by a k×k Gaussian filter per channel (spanning ±2 standard deviations), zero-padded at the borders: the
 * linear cousin of the median filter among the input-smoothing defenses. Deterministic and differentiable, so
 * naive gradients already pass it.
 */
public final class GaussianBlur implements Preprocessor {
    private final int kernel;
    private final TranslationInvariance filter;

    public GaussianBlur(int kernel) {
        if (kernel < 1 || kernel % 2 == 0) {
            throw UserError.invalid("defense", "the blur kernel size must be odd and positive, got " + kernel);
        }
        this.kernel = kernel;
        this.filter = new TranslationInvariance(kernel, 2.0);
    }

    @Override
    public NDArray apply(NDArray x, Random rng) {
        return filter.apply(x);
    }

    @Override
    public String name() {
        return "blur:" + kernel;
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * TI (Dong et al. 2019, "Evading defenses to transferable adversarial examples by translation-invariant
 * attacks"): the gradient is convolved, channel by channel, with a normalized Gaussian kernel of
 * {@code kernelSize} taps spanning ±{@code nsig} standard deviations, which approximates averaging the
 * gradient over translated images.
 */
public final class TranslationInvariance implements GradientFilter {
    private final int kernelSize;
    private final double nsig;
    private final float[] kernel;

    public TranslationInvariance(int kernelSize, double nsig) {
        if (kernelSize < 1 || kernelSize % 2 == 0) {
            throw io.advkit.util.UserError.invalid("ti kernel", "the translation-invariance kernel size must be odd and positive, got " + kernelSize);
        }
        this.kernelSize = kernelSize;
        this.nsig = nsig;
        this.kernel = gaussian(kernelSize, nsig);
    }

    /** 2-D Gaussian weights, outer product of a 1-D Gaussian sampled on linspace(−nsig, nsig, k), summing to 1. */
    static float[] gaussian(int k, double nsig) {
        double[] g1 = new double[k];
        for (int i = 0; i < k; i++) {
            double t = k == 1 ? 0 : -nsig + 2 * nsig * i / (k - 1);
            g1[i] = Math.exp(-t * t / 2);
        }
        float[] out = new float[k * k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                sum += g1[i] * g1[j];
            }
        }
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                out[i * k + j] = (float) (g1[i] * g1[j] / sum);
            }
        }
        return out;
    }

    @Override
    public NDArray apply(NDArray grad) {
        NDManager m = grad.getManager();
        int c = (int) grad.getShape().get(1);
        float[] w = new float[c * kernel.length];
        for (int i = 0; i < c; i++) {
            System.arraycopy(kernel, 0, w, i * kernel.length, kernel.length);
        }
        NDArray weight = m.create(w, new Shape(c, 1, kernelSize, kernelSize));
        return ai.djl.nn.convolutional.Conv2d.conv2d(grad, weight, null, new Shape(1, 1),
                new Shape(kernelSize / 2, kernelSize / 2), new Shape(1, 1), c).singletonOrThrow();
    }

    @Override
    public String toString() {
        return "TI(kernel=" + kernelSize + ", nsig=" + nsig + ")";
    }
}

package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.advkit.util.UserError;

/**
 * A small DCGAN-style generator for Defense-GAN: z (N×latent) → a fully connected layer to width×(S/4)×(S/4), BatchNorm,
 * ReLU → 2× nearest upsampling, 3×3 conv to width/2, BatchNorm, ReLU → 2× upsampling, 3×3 conv to the image's channels,
 * sigmoid: pixels in [0,1], as every advkit model reads them. About 4 M multiply-adds for a 28×28 image at width 64,
 * small on purpose: Defense-GAN runs it R·L = 2,000 times per image it classifies. Upsampling plus convolution rather
 * than transposed convolution: the same capacity, no checkerboard artefacts, and only ops the engine differentiates twice
 * (Defense-GAN's naive attack differentiates through the projection's own gradient steps).
 */
public final class GanGenerator extends Module {
    /** What a generator file records to rebuild the network. */
    public record Spec(String arch, int latent, int width, int channels, int size) {
        public static final String ARCH = "upconv-generator";

        public Spec {
            if (latent < 1 || width < 2 || width % 2 != 0 || channels < 1 || size < 4 || size % 4 != 0) {
                throw UserError.invalid("generator", "a generator needs latent >= 1, an even width >= 2 and an image size divisible by 4 "
                        + "(got latent " + latent + ", width " + width + ", size " + size + ")");
            }
        }

        public static Spec of(int latent, int width, int channels, int size) {
            return new Spec(ARCH, latent, width, channels, size);
        }
    }

    private final Spec spec;
    private final Layers.Linear fc;
    private final Layers.BatchNorm2d bn;
    private final Layers.ConvBlock up1;
    private final Layers.Conv2d out;

    public GanGenerator(Spec spec) {
        this.spec = spec;
        int base = spec.size() / 4;
        fc = child("fc", new Layers.Linear(spec.latent(), spec.width() * base * base));
        bn = child("bn", new Layers.BatchNorm2d(spec.width()));
        up1 = child("up1", Layers.ConvBlock.conv3x3(spec.width(), spec.width() / 2, 1));
        out = child("out", new Layers.Conv2d(spec.width() / 2, spec.channels(), 3, 1, 1, 1, true));
    }

    public Spec spec() {
        return spec;
    }

    /** Nearest-neighbour 2× upsampling: each pixel repeated into a 2×2 block (differentiable: reshape and expand). */
    static NDArray upsample2(NDArray x) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], s[2], 1, s[3], 1).broadcast(new Shape(s[0], s[1], s[2], 2, s[3], 2))
                .reshape(s[0], s[1], 2 * s[2], 2 * s[3]);
    }

    /** Images (N×C×S×S in [0,1]) from latent codes (N×latent); {@code training} selects BatchNorm's batch statistics. */
    @Override
    public NDArray forward(NDArray z, boolean training) {
        int base = spec.size() / 4;
        NDArray h = then(fc.forward(z, training), a -> a.reshape(-1, spec.width(), base, base));
        h = then(then(h, a -> bn.forward(a, training)), Activation::relu);
        h = then(then(h, GanGenerator::upsample2), a -> up1.forward(a, training));
        h = then(then(h, GanGenerator::upsample2), a -> out.forward(a, training));
        return then(h, Activation::sigmoid);
    }

    /** The module built for its spec, parameters created from the engine's current seed. */
    public static GanGenerator create(Spec spec, ai.djl.ndarray.NDManager manager) {
        GanGenerator g = new GanGenerator(spec);
        g.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, spec.latent()));
        return g;
    }
}

package io.advkit.defense;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.GeneratorRange;
import io.advkit.attack.TranslationInvariance;
import io.advkit.model.Classifier;

import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A model behind preprocessing defenses, usable wherever a model is (eval, attack, audit). The gradient
 * mode decides what attacks see through non-differentiable steps (nothing, or BPDA's approximation) and
 * whether they average over random draws (EoT, {@code eotSamples} draws per gradient). Randomness comes
 * from the defense's own seeded generator: the same seed gives the same sequence of draws.
 */
public final class DefendedModel implements Classifier, GeneratorRange {
    /** BPDA backward approximations of a non-differentiable step. */
    public enum Approximation {
        IDENTITY, BLUR, DIFF;

        /**
         * The differentiable stand-in whose gradient BPDA passes for step {@code p}: y itself, y blurred by a 3×3
         * Gaussian, or the step's own differentiable approximation (JPEG's: {@link DifferentiableJpeg}).
         */
        public NDArray standIn(Preprocessor p, NDArray y) {
            return switch (this) {
                case IDENTITY -> y;
                case BLUR -> new TranslationInvariance(3, 1.0).apply(y);
                case DIFF -> p.differentiableApproximation(y);
            };
        }

        /** BPDA through {@code p}: the forward value p(y), the gradient of the stand-in g: g(y) + (p(y) − g(y)), the bracket detached. */
        public NDArray through(Preprocessor p, NDArray y, Random rng) {
            NDArray g = standIn(p, y);
            return g.add(p.apply(y.stopGradient(), rng).sub(g.stopGradient()));
        }

        public static Approximation parse(String s) {
            try {
                return valueOf(s.toUpperCase(java.util.Locale.ROOT).replace("DIFFERENTIABLE", "DIFF"));
            } catch (IllegalArgumentException e) {
                throw io.advkit.util.UserError.invalid("bpda", "unknown BPDA approximation '" + s + "'; expected identity, blur or diff");
            }
        }
    }

    private final Classifier inner;
    private final List<Preprocessor> steps;
    private final GradientMode mode;
    private final Approximation approximation;
    private final int eotSamples;
    private final Random rng;
    private final long defenseSeed;

    public DefendedModel(Classifier inner, List<Preprocessor> steps, GradientMode mode, Approximation approximation,
                         int eotSamples, long seed) {
        this(inner, steps, mode, approximation, eotSamples, new Random(seed), seed);
    }

    private DefendedModel(Classifier inner, List<Preprocessor> steps, GradientMode mode, Approximation approximation,
                          int eotSamples, Random rng, long seed) {
        this.inner = inner;
        this.steps = List.copyOf(steps);
        this.mode = mode;
        this.approximation = approximation;
        this.eotSamples = eotSamples;
        this.rng = rng;
        this.defenseSeed = seed;
    }

    /**
     * The inner model's members, each behind this same defense, drawing from this defense's generator (so a batch's
     * draws still depend only on its seed): the members an ensemble attack sees when it anticipates preprocessing.
     */
    @Override
    public List<? extends Classifier> members() {
        List<? extends Classifier> own = inner.members();
        if (own.size() == 1 && own.get(0) == inner) {
            return List.of(this);
        }
        return own.stream().map(m -> new DefendedModel(m, steps, mode, approximation, eotSamples, rng, defenseSeed)).toList();
    }

    @Override
    public float[] memberWeights() {
        return inner.memberWeights();
    }

    /** The same defense seen through another gradient mode (a fresh generator with the given seed). */
    public DefendedModel withMode(GradientMode m, long seed) {
        return new DefendedModel(inner, steps, m, approximation, eotSamples, seed);
    }

    public Classifier inner() {
        return inner;
    }

    public List<Preprocessor> steps() {
        return steps;
    }

    public GradientMode mode() {
        return mode;
    }

    @Override
    public boolean randomized() {
        return steps.stream().anyMatch(Preprocessor::random);
    }

    /** The preprocessed input, as gradients see it in this mode. */
    public NDArray preprocess(NDArray x) {
        NDArray y = x;
        for (Preprocessor p : steps) {
            y = stage(p, y);
        }
        return y;
    }

    private NDArray stage(Preprocessor p, NDArray y) {
        if (mode.bpda() && p.bpdaReplaces()) {
            return approximation.through(p, y, rng);
        }
        if (p.differentiable()) {
            return p.apply(y, rng);
        }
        return p.apply(y.stopGradient(), rng); // naive: computed outside the graph, no gradient flows back through it
    }

    @Override
    public NDArray logits(NDArray x) {
        return inner.logits(preprocess(x));
    }

    @Override
    public int channels() {
        return inner.channels();
    }

    @Override
    public boolean differentiable() {
        return inner.differentiable();
    }

    /** The draws restart from the defense's seed and the batch's: the same batch always sees the same draws. */
    @Override
    public void startBatch(long seed) {
        rng.setSeed(defenseSeed * 1_000_003L + seed);
        inner.startBatch(seed);
    }

    @Override
    public boolean variesPerGradient() {
        return inner.variesPerGradient();
    }

    @Override
    public int gradientSamples() {
        return mode.eot() && randomized() ? eotSamples : 1;
    }

    @Override
    public int numClasses() {
        return inner.numClasses();
    }

    @Override
    public String name() {
        return inner.name() + "[" + steps.stream().map(Preprocessor::name).collect(Collectors.joining("+")) + "]";
    }

    /** Defense-GAN as the only step: what the reparameterization attack can search through. */
    @Override
    public boolean onGeneratorRange() {
        return steps.size() == 1 && steps.get(0) instanceof DefenseGan;
    }

    private DefenseGan projection() {
        if (!onGeneratorRange()) {
            throw new IllegalStateException(name() + " does not project onto a generator's range");
        }
        return (DefenseGan) steps.get(0);
    }

    @Override
    public NDArray codes(NDArray x) {
        return projection().project(x.stopGradient(), rng).codes();
    }

    @Override
    public NDArray generate(NDArray z) {
        return projection().generator().forward(z, false);
    }

    @Override
    public NDArray classify(NDArray image) {
        return inner.logits(image);
    }

    public String describe() {
        return name() + " gradients=" + mode.name().toLowerCase(java.util.Locale.ROOT)
                + (mode.bpda() ? " bpda=" + approximation.name().toLowerCase(java.util.Locale.ROOT) : "")
                + (gradientSamples() > 1 ? " eot=" + eotSamples : "");
    }
}

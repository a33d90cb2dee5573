package io.advkit.model;

import ai.djl.ndarray.NDArray;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Several classifiers attacked as one. Their outputs are fused by weighted average of logits, of
 * probabilities, or of losses (the attack objective Σ wᵢ·L(zᵢ), as in Liu et al. 2017 / Dong et al. 2018);
 * members may normalize inputs differently (each keeps its own), but must agree on the classes.
 */
public final class Ensemble implements Classifier {
    public enum Fusion {
        LOGITS, PROBS, LOSS;

        public static Fusion parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw UserError.invalid("fusion", "unknown ensemble fusion '" + s + "'; expected logits, probs or loss");
            }
        }
    }

    private final List<? extends Classifier> members;
    private final float[] weights;
    private final Fusion fusion;

    /** @param weights per-member weights (normalized to sum 1); null for equal weights */
    public Ensemble(List<? extends Classifier> members, float[] weights, Fusion fusion) {
        if (members.isEmpty()) {
            throw new UserError("an ensemble needs at least one model");
        }
        int classes = members.get(0).numClasses();
        for (Classifier c : members) {
            if (c.numClasses() != classes) {
                throw new UserError("ensemble members disagree on the classes: " + members.get(0).name() + " has " + classes
                        + ", " + c.name() + " has " + c.numClasses());
            }
            if (c.channels() != members.get(0).channels()) {
                throw new UserError("ensemble members disagree on the input: " + members.get(0).name() + " takes " + members.get(0).channels()
                        + " channel(s), " + c.name() + " takes " + c.channels());
            }
        }
        if (weights != null && weights.length != members.size()) {
            throw UserError.invalid("model weights", weights.length + " ensemble weights for " + members.size() + " models");
        }
        this.members = members;
        this.fusion = fusion;
        this.weights = new float[members.size()];
        float sum = 0;
        for (int i = 0; i < members.size(); i++) {
            this.weights[i] = weights == null ? 1f : weights[i];
            if (this.weights[i] < 0) {
                throw UserError.invalid("model weights", "ensemble weights must be non-negative");
            }
            sum += this.weights[i];
        }
        if (sum <= 0) {
            throw UserError.invalid("model weights", "ensemble weights sum to zero");
        }
        for (int i = 0; i < this.weights.length; i++) {
            this.weights[i] /= sum;
        }
    }

    @Override
    public List<? extends Classifier> members() {
        return members;
    }

    @Override
    public float[] memberWeights() {
        return weights.clone();
    }

    public Fusion fusion() {
        return fusion;
    }

    /** Logits for LOGITS fusion; log of the averaged probabilities otherwise (valid logits of the fused prediction). */
    @Override
    public NDArray logits(NDArray x) {
        return fuse(members.stream().map(m -> m.logits(x)).toList());
    }

    /**
     * The ensemble's logits from its members' logits on one input, in member order: what {@link #logits} computes, for
     * a caller that needs each member's prediction too and should not run every member twice.
     */
    public NDArray fuse(List<NDArray> memberLogits) {
        NDArray acc = null;
        for (int i = 0; i < members.size(); i++) {
            NDArray z = memberLogits.get(i);
            NDArray term = Scalars.times(fusion == Fusion.LOGITS ? z : z.softmax(1), weights[i]);
            acc = acc == null ? term : acc.add(term);
        }
        return fusion == Fusion.LOGITS ? acc : acc.add(1e-12f).log();
    }

    @Override
    public UnaryOperator<NDArray> objective(UnaryOperator<NDArray> lossOfLogits) {
        if (fusion != Fusion.LOSS) {
            return Classifier.super.objective(lossOfLogits);
        }
        return x -> {
            NDArray acc = null;
            for (int i = 0; i < members.size(); i++) {
                NDArray term = Scalars.times(members.get(i).objective(lossOfLogits).apply(x), weights[i]);
                acc = acc == null ? term : acc.add(term);
            }
            return acc;
        };
    }

    @Override
    public boolean objectiveIsLossOfLogits() {
        return fusion != Fusion.LOSS && members.stream().allMatch(Classifier::objectiveIsLossOfLogits);
    }

    @Override
    public int gradientSamples() {
        return members.stream().mapToInt(Classifier::gradientSamples).max().orElse(1);
    }

    @Override
    public boolean randomized() {
        return members.stream().anyMatch(Classifier::randomized);
    }

    @Override
    public int channels() {
        return members.get(0).channels();
    }

    @Override
    public boolean differentiable() {
        return members.stream().allMatch(Classifier::differentiable);
    }

    @Override
    public void startBatch(long seed) {
        members.forEach(m -> m.startBatch(seed));
    }

    @Override
    public boolean variesPerGradient() {
        return members.stream().anyMatch(Classifier::variesPerGradient);
    }

    @Override
    public int numClasses() {
        return members.get(0).numClasses();
    }

    @Override
    public String name() {
        return members.stream().map(Classifier::name).collect(Collectors.joining("+"));
    }
}

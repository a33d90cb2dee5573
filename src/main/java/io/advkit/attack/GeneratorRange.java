package io.advkit.attack;

import ai.djl.ndarray.NDArray;

/**
 * A model that classifies the projection of its input onto a generator's range (Defense-GAN): x ↦ f(G(z*(x))).
 * Its parts are what Athalye et al.'s (2018) reparameterization attack needs to search the codes z directly.
 */
public interface GeneratorRange {
    /** Whether this model projects onto a generator's range; the methods below refuse when it does not. */
    boolean onGeneratorRange();

    /** z*(x): the codes the model's own projection finds for x (N×latent, no graph). */
    NDArray codes(NDArray x);

    /** G(z), differentiable with respect to z. */
    NDArray generate(NDArray z);

    /** Logits of the classifier behind the projection for images of the generator's range, differentiable. */
    NDArray classify(NDArray image);
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import io.advkit.model.Classifier;
import io.advkit.util.Params;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

/**
 * Athalye, Carlini and Wagner's (2018) reparameterization attack on Defense-GAN: instead of differentiating through the
 * projection, search its output directly. From the codes z the defense finds for the clean image, Adam (lr 0.05)
 * ascends ℓ(f(G(z))) − λ·‖G(z) − Π(G(z))‖², Π the projection onto the threat model's ball around x; the example is
 * Π(G(z)), close to an image the generator makes, so the defense's own projection lands near G(z), which the
 * classifier gets wrong. λ = 1: a weak pull toward the ball, measured best (Fashion-MNIST, ε = 0.3, 10 images: λ = 1,
 * 10, 100 left 0%, 60%, 70% robust; a strong pull only makes G(z) a better reconstruction of x). Four times during the
 * run the candidates are tried on the defended model itself, and each image keeps the first that fools it.
 */
public final class Reparameterization implements Attack {
    private static final double LR = 0.05;
    private static final double PENALTY = 1;
    private static final int CHECKS = 4;

    private final int steps;

    public Reparameterization(int steps) {
        if (steps < 1) {
            throw UserError.invalid("steps", "reparam needs at least 1 step, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public String name() {
        return "reparam";
    }

    @Override
    public Params params() {
        return Params.of("steps", steps).and("lr", LR).and("penalty", PENALTY).and("optimizer", "adam").and("checks", CHECKS);
    }

    @Override
    public void requireUsableOn(Classifier model) {
        if (!(model instanceof GeneratorRange r) || !r.onGeneratorRange()) {
            throw new UserError("reparam attacks a model that classifies its input's projection onto a generator's range "
                    + "(a defense-gan defense as its only step); " + model.name() + " is not one");
        }
    }

    @Override
    public NDArray run(AttackProblem p) {
        requireUsableOn(p.model());
        GeneratorRange range = (GeneratorRange) p.model();
        NDManager m = p.manager();
        NDArray x = p.x();
        long n = x.getShape().get(0);
        Loss loss = p.ascentLoss();
        Objective f = z -> {
            NDArray g = range.generate(z);
            NDArray outside = g.sub(p.threat().project(g.stopGradient(), x)).square().reshape(n, -1).sum(new int[] {1});
            return loss.perExample(range.classify(g), p.goal()).sub(Scalars.times(outside, PENALTY));
        };
        NDArray z = range.codes(x);
        z.attach(m);
        AdamMoments adam = new AdamMoments(m, z.getShape());
        NDArray best = x.duplicate();
        boolean[] done = new boolean[(int) n];
        int every = Math.max(1, steps / CHECKS);
        for (int t = 1; t <= steps; t++) {
            try (NDManager step = m.newSubManager()) {
                NDArray g = Gradients.of(f, z, step).gradient();
                NDArray nz = z.add(adam.direction(g).mul(LR)); // ascent
                nz.attach(m);
                z.close();
                z = nz;
                if (t % every == 0 || t == steps) {
                    NDArray candidate = p.threat().project(range.generate(z), x);
                    boolean[] fooled = p.success(candidate);
                    boolean last = t == steps;
                    boolean[] take = new boolean[(int) n];
                    for (int i = 0; i < n; i++) {
                        take[i] = !done[i] && (fooled[i] || last);
                        done[i] |= fooled[i];
                    }
                    NDArray mask = step.create(take).reshape(n, 1, 1, 1).broadcast(candidate.getShape());
                    NDArray merged = NDArrays.where(mask, candidate, best);
                    merged.attach(m);
                    best.close();
                    best = merged;
                }
            }
            p.progress().accept((double) t / steps);
        }
        adam.close();
        return best;
    }
}

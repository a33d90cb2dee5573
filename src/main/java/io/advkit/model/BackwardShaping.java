package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

import java.util.function.Supplier;

/**
 * Reshapes a residual surrogate for transfer attacks. SGM and LinBP change only the backward pass (every forward
 * value is unchanged); ghost erosion makes each forward a slightly different network:
 * <ul>
 *   <li><b>SGM</b> (Wu et al. ICLR 2020, "Skip connections matter"): the gradient through each residual branch is
 *       scaled by γ &lt; 1, so more of it flows through the skip connections, whose gradients transfer better;</li>
 *   <li><b>LinBP</b> (Guo et al. NeurIPS 2020, "Backpropagating linearly improves transferability"): from a chosen
 *       stage on, the derivative of the ReLUs inside residual branches is taken as 1, as if the branches were
 *       linear; the ReLU after each residual sum stays (as in the authors' code). Their per-block renormalization of
 *       the branch gradient's norm is not done: it needs a second backward pass per block.</li>
 *   <li><b>Ghost networks</b> (Li et al. AAAI 2020, "Learning transferable adversarial examples via ghost networks"):
 *       skip-connection erosion, each skip connection multiplied by its own λ ~ U[1 − τ, 1 + τ] drawn anew at every
 *       forward, so successive gradients come from a longitudinal ensemble of "ghosts" of one model.</li>
 * </ul>
 * Both are gradients of a surrogate, not of the victim, so they live here and not in the attacks: the
 * architectures call {@link #residualBranch} and {@link #skip} at each residual sum, {@link #branchRelu} for the
 * ReLUs inside their residual branches and {@link #enterStage} as they pass from stage to stage; an attack turns the
 * rules on around one forward with {@link #during}, and {@link #capturing} keeps a stage's input for ILA. Under SGM
 * and LinBP forward values are bit-identical: each rule is "value of a, gradient of b" written
 * {@code b + (a − b).stopGradient()} with a − b exactly zero where it matters.
 */
public final class BackwardShaping {
    /**
     * @param skipGamma       SGM's γ: the share of the gradient a residual branch passes back (1: plain gradient)
     * @param linearFromStage LinBP: ReLUs of this stage (1-based) and later pass the gradient unchanged (0: off)
     * @param removeRelus     forward and backward without those (branch) ReLUs: the network LinBP's gradient equals for a loss
     *                        linear in the logits; for checking LinBP, not for attacking
     * @param skipErosion     ghost networks' τ: each skip connection scaled by λ ~ U[1 − τ, 1 + τ] per forward (0: off)
     */
    public record Rules(double skipGamma, int linearFromStage, boolean removeRelus, double skipErosion) {
        public static final Rules NONE = new Rules(1, 0, false, 0);

        public Rules(double skipGamma, int linearFromStage, boolean removeRelus) {
            this(skipGamma, linearFromStage, removeRelus, 0);
        }

        public Rules {
            if (!(skipGamma >= 0 && skipGamma <= 1)) {
                throw UserError.invalid("sgm gamma", "SGM's gamma is a share of the gradient, in [0, 1]; got " + skipGamma);
            }
            if (!(skipErosion >= 0 && skipErosion < 1)) {
                throw UserError.invalid("ghost erosion", "ghost networks' tau must be in [0, 1), got " + skipErosion);
            }
            if (linearFromStage < 0) {
                throw UserError.invalid("linbp stage", "LinBP's first linear stage must be 1 or more; got " + linearFromStage);
            }
        }

        public boolean active() {
            return skipGamma != 1 || linearFromStage > 0 || skipErosion > 0;
        }
    }

    private static final class State {
        final Rules rules;
        final java.util.Random rng;
        int captureStage;
        final java.util.List<NDArray> captured = new java.util.ArrayList<>();
        int stage;
        int deepestStage;
        int residuals;

        State(Rules rules, java.util.Random rng) {
            this.rules = rules;
            this.rng = rng;
        }

        boolean linear() {
            return rules.linearFromStage() > 0 && stage >= rules.linearFromStage();
        }
    }

    private static final ThreadLocal<State> CURRENT = new ThreadLocal<>();

    private BackwardShaping() {}

    /**
     * Runs {@code forward} (the model's objective) with the rules on. Refuses a model the rules cannot reach (no
     * residual branch for SGM, no stage that deep for LinBP) instead of silently giving the plain gradient.
     */
    public static <T> T during(Rules rules, Supplier<T> forward) {
        return during(rules, new java.util.Random(0), forward);
    }

    /** As {@link #during(Rules, Supplier)}, ghost erosion drawing from {@code rng}. */
    public static <T> T during(Rules rules, java.util.Random rng, Supplier<T> forward) {
        return during(rules, rng, forward, true);
    }

    /**
     * As above; with {@code refuseUnreached} false, a model the rules cannot reach is run plainly: one member of an
     * ensemble that was checked as a whole (a ShuffleNet has no residual block, and inside the ensemble SGM leaves its
     * gradient as it is too).
     */
    public static <T> T during(Rules rules, java.util.Random rng, Supplier<T> forward, boolean refuseUnreached) {
        if (!rules.active()) {
            return forward.get();
        }
        State s = new State(rules, rng);
        return within(s, () -> {
            T result = forward.get();
            if (!refuseUnreached) {
                return result;
            }
            if ((rules.skipGamma() != 1 || rules.skipErosion() > 0) && s.residuals == 0) {
                throw UserError.invalid("attack", (rules.skipGamma() != 1 ? "sgm" : "ghost") + " works on residual blocks, but "
                        + "the model has none advkit can reach (ResNet, SE-ResNet, PreResNet, WRN, ResNeXt, MobileNetV2, chenyaofo/akamaster ResNets have)");
            }
            if (rules.linearFromStage() > 0 && s.deepestStage < rules.linearFromStage()) {
                throw UserError.invalid("linbp stage", "linbp from stage " + rules.linearFromStage() + ", but the model has "
                        + (s.deepestStage == 0 ? "no stages advkit can reach" : "only " + s.deepestStage + " stages"));
            }
            return result;
        });
    }

    /** Runs {@code body} with {@code s} as the thread's state, restoring the outer one (nested calls) afterwards. */
    private static <T> T within(State s, Supplier<T> body) {
        State outer = CURRENT.get();
        CURRENT.set(s);
        try {
            return body.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /** A network's forward passes into stage {@code n} (0: its stem, before the first stage). */
    public static void enterStage(int n) {
        State s = CURRENT.get();
        if (s != null) {
            s.stage = n;
            s.deepestStage = Math.max(s.deepestStage, n);
        }
    }

    /** As {@link #enterStage(int)}, with the stage's input, which {@link #capturing} may keep. */
    public static void enterStage(int n, NDArray input) {
        enterStage(n);
        State s = CURRENT.get();
        if (s != null && s.captureStage == n) {
            s.captured.add(Scalars.times(input, 1)); // a copy on the graph: the network frees its own intermediates
        }
    }

    /** What {@link #capturing} returns: the forward's result and each network's captured stage input, in order. */
    public record Captured<T>(T result, java.util.List<NDArray> features) {}

    /**
     * Runs {@code forward} keeping the input of stage {@code stage} (the previous stage's output) of every network it
     * runs, on the autograd graph: the intermediate features ILA works on. Refuses a model with no such stage.
     */
    public static <T> Captured<T> capturing(int stage, Supplier<T> forward) {
        State s = new State(Rules.NONE, new java.util.Random(0));
        s.captureStage = stage;
        return within(s, () -> {
            T result = forward.get();
            if (s.captured.isEmpty()) {
                throw UserError.invalid("ila stage", "ila works on the input of stage " + stage + ", but the model has "
                        + (s.deepestStage == 0 ? "no stages advkit can reach" : "only " + s.deepestStage + " stages"));
            }
            return new Captured<>(result, java.util.List.copyOf(s.captured));
        });
    }

    /** A residual block's skip connection as its sum sees it: itself, or eroded by a random λ (ghost networks). */
    public static NDArray skip(NDArray shortcut) {
        State s = CURRENT.get();
        if (s == null || s.rules.skipErosion() == 0) {
            return shortcut;
        }
        s.residuals++;
        double tau = s.rules.skipErosion();
        return Scalars.times(shortcut, 1 + tau * (2 * s.rng.nextDouble() - 1)); // a constant the backward pass reads: Scalars
    }

    /** A residual branch's output as its sum sees it: the same value, γ of the gradient (SGM). */
    public static NDArray residualBranch(NDArray branch) {
        State s = CURRENT.get();
        if (s == null || s.rules.skipGamma() == 1) {
            return branch;
        }
        s.residuals++;
        NDArray held = branch.stopGradient();
        return held.add(Scalars.times(branch.sub(held), s.rules.skipGamma()));
    }

    /**
     * A ReLU inside a residual branch; in LinBP's linear stages its backward is the identity (and with removeRelus,
     * its forward too).
     */
    public static NDArray branchRelu(NDArray x) {
        State s = CURRENT.get();
        if (s == null || !s.linear()) {
            return Activation.relu(x);
        }
        if (s.rules.removeRelus()) {
            return Scalars.times(x, 1); // a new array (callers free what a module returns, Module#then), on the graph
        }
        // x + (relu(x) − x), the bracket held constant: exactly relu(x) in value (x + (−x) = 0, x + 0 = x)
        return x.add(Activation.relu(x).sub(x).stopGradient());
    }
}

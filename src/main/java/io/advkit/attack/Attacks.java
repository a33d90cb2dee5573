package io.advkit.attack;

import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The attack registry: every attack advkit can build by name, with one line of help each, so the CLI, the
 * benchmarks and any other front end only look names up. Names compose with "-": a base ("mi") and modifiers
 * ("di", "ti") in any order, e.g. "mi-di-ti", "vni-di-ti", "pgd-di"; a name of modifiers only ("di-ti") uses
 * BIM, and "mi-fgsm"-style family names are accepted. Adding an attack is its class and one line in
 * {@link #BASES}.
 */
public final class Attacks {
    /** How a base attack is made from the settings and the gradient pipeline its modifiers built. */
    @FunctionalInterface
    public interface Factory {
        Attack build(AttackSettings settings, GradientPipeline pipeline);
    }

    /** A base attack: its name and aliases, one line of help, whether modifiers apply, its factory, and its norms. */
    public record Base(String name, List<String> aliases, String help, boolean takesModifiers, Factory factory, Set<Norm> norms) {
        /** An attack defined in every norm. */
        public Base(String name, List<String> aliases, String help, boolean takesModifiers, Factory factory) {
            this(name, aliases, help, takesModifiers, factory, EnumSet.allOf(Norm.class));
        }
    }

    /** A part that composes with every base that takes modifiers. */
    public record Modifier(String name, String help, BiFunction<AttackSettings, GradientPipeline, GradientPipeline> apply) {}

    private static final List<Base> BASES = List.of(
            new Base("fgm", List.of("fgsm"), "Fast Gradient (Sign) Method: one step of size ε (Goodfellow et al. 2015)", true,
                    (s, g) -> new FGM(g)),
            new Base("rfgsm", List.of("r-fgsm"), "R+FGSM: a random sign step of ε/2, then an FGSM step of the rest (Tramèr et al. 2018)",
                    true, (s, g) -> new RFGSM(0.5, g)),
            new Base("bim", List.of("ifgsm", "i-fgsm"), "Basic Iterative Method: steps of ε/steps from the clean image (Kurakin et al. 2017)",
                    true, (s, g) -> new BIM(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), g)),
            new Base("pgd", List.of(), "Projected Gradient Descent: random start, steps of 2.5·ε/steps, restarts (Madry et al. 2018)",
                    true, (s, g) -> Restarts.of(new PGD(s.stepsOr(10), s.stepSizeOr(PGD.DEFAULT_STEP_TIMES_STEPS, s.stepsOr(10)), g),
                    s.restartsOr(1))),
            new Base("mi", List.of("mifgsm"), "Momentum Iterative FGSM: L1-normalized gradients accumulated with decay μ (Dong et al. 2018)",
                    true, (s, g) -> new MIFGSM(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), s.decay(), g)),
            new Base("ni", List.of("nifgsm"), "Nesterov Iterative FGSM: MI with the gradient at the look-ahead point (Lin et al. 2020)",
                    true, (s, g) -> new NIFGSM(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), s.decay(), g)),
            new Base("svre", List.of(), "Stochastic Variance Reduced Ensemble: MI steps along an inner loop over single members, "
                    + "each gradient corrected toward the ensemble's; needs two or more surrogates (Xiong et al. 2022)",
                    true, (s, g) -> new SVRE(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), s.decay(), s.transfer().svreInner(), g)),
            new Base("cwa", List.of(), "Common Weakness Attack: a step back from the ensemble's gradient, a walk through the members "
                    + "one by one, then MI's step along the walk; flat, shared optima transfer (Chen et al. 2024)",
                    true, (s, g) -> new CWA(s.stepsOr(10), s.stepSizeOr(2, s.stepsOr(10)), s.decay(), s.transfer().cwaReverse(),
                    s.transfer().cwaInner(), g)),
            new Base("vmi", List.of("vmifgsm"), "Variance-tuned MI: momentum corrected by the gradient variance around x (Wang and He 2021)",
                    true, (s, g) -> new VMIFGSM(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), s.decay(), s.vmiSamples(), s.vmiBeta(), false, g)),
            new Base("vni", List.of("vnifgsm"), "Variance-tuned NI (Wang and He 2021)",
                    true, (s, g) -> new VMIFGSM(s.stepsOr(10), s.stepSizeOr(1, s.stepsOr(10)), s.decay(), s.vmiSamples(), s.vmiBeta(), true, g)),
            new Base("apgd-ce", List.of("apgd"), "Auto-PGD on cross-entropy: step size adapted per image, 100 iterations (Croce and Hein 2020)",
                    false, (s, g) -> Restarts.of(new APGD(s.stepsOr(100), Loss.CE, "ce"), s.restartsOr(1))),
            new Base("apgd-dlr", List.of(), "Auto-PGD on the Difference-of-Logits-Ratio loss (Croce and Hein 2020)",
                    false, (s, g) -> Restarts.of(new APGD(s.stepsOr(100), Loss.DLR, "dlr"), s.restartsOr(1))),
            new Base("apgd-t", List.of(), "Auto-PGD on the targeted DLR loss, toward the runner-up classes in turn (Croce and Hein 2020)",
                    false, (s, g) -> new APGDTargeted(s.stepsOr(100), s.targets())),
            new Base("fab", List.of(), "Fast Adaptive Boundary: the smallest perturbation across the nearest linearized boundary (Croce and Hein 2020)",
                    false, (s, g) -> new FAB(s.stepsOr(100), s.restartsOr(1), 0)),
            new Base("fab-t", List.of(), "FAB toward the runner-up classes in turn, one boundary each (Croce and Hein 2020)",
                    false, (s, g) -> new FAB(s.stepsOr(100), s.restartsOr(1), s.targets())),
            new Base("deepfool", List.of(), "DeepFool: steps onto the nearest linearized class boundary; minimal norm (Moosavi-Dezfooli et al. 2016)",
                    false, (s, g) -> new DeepFool(s.stepsOr(50)), EnumSet.of(Norm.LINF, Norm.L2)),
            new Base("fmn", List.of(), "Fast Minimum-Norm: normalized gradient steps inside a per-image ball that adapts to the boundary; minimal norm (Pintor et al. 2021)",
                    false, (s, g) -> new FMN(s.stepsOr(100))),
            new Base("fmn-t", List.of(), "FMN toward the runner-up classes in turn, the closest point over the runs kept (Pintor et al. 2021, targeted)",
                    false, (s, g) -> new FMN(s.stepsOr(100), s.targets())),
            new Base("cw-l2", List.of("cw", "cw2"), "Carlini-Wagner L2: tanh space, Adam, binary search over the constant (9 rounds); minimal norm (Carlini and Wagner 2017)",
                    false, (s, g) -> new CarliniWagnerL2(s.stepsOr(100), 9), EnumSet.of(Norm.L2)),
            new Base("spsa", List.of(), "SPSA: the margin's gradient estimated from 128 random sign probes, descended with Adam; scores only (Uesato et al. 2018)",
                    false, (s, g) -> new SPSA(s.stepsOr(100), 128)),
            new Base("reparam", List.of("reparameterization"), "Reparameterization: the codes of a Defense-GAN generator searched directly, "
                    + "the example their image clipped to the budget (Athalye et al. 2018); needs a defense-gan defense",
                    false, (s, g) -> new Reparameterization(s.stepsOr(100))),
            new Base("square", List.of(), "Square Attack: random square updates kept when the margin drops; scores only (Andriushchenko et al. 2020)",
                    false, (s, g) -> Restarts.of(new Square(s.queries(), 0.8), s.restartsOr(1)), EnumSet.of(Norm.LINF, Norm.L2)));

    private static final String ILA_NAME = "ila";

    private static final List<Modifier> MODIFIERS = List.of(
            new Modifier("di", "input diversity: a random resize and pad before each gradient (Xie et al. 2019)",
                    (s, g) -> g.withInputTransform(new InputDiversity(s.diProb(), s.diResize()))),
            new Modifier("ti", "translation invariance: the gradient smoothed by a Gaussian kernel (Dong et al. 2019)",
                    (s, g) -> g.withFilter(new TranslationInvariance(s.tiKernel(), s.tiNsig()))),
            new Modifier("si", "scale invariance: the gradient averaged over x/2^i, i < m (Lin et al. 2020)",
                    (s, g) -> g.withCopies(new ScaleInvariance(s.transfer().siCopies()))),
            new Modifier("admix", "Admix: the gradient averaged over SI's scales of x + eta*x' for m2 other images x' (Wang et al. 2021)",
                    (s, g) -> g.withCopies(new Admix(s.transfer().siCopies(), s.transfer().admixImages(), s.transfer().admixStrength()))),
            new Modifier("sgm", "Skip Gradient Method: gamma of the gradient through residual branches, the rest through skips (Wu et al. 2020)",
                    (s, g) -> g.withSkipGamma(s.transfer().sgmGamma())),
            new Modifier("linbp", "LinBP: ReLUs pass the gradient unchanged from a chosen stage on (Guo et al. 2020)",
                    (s, g) -> g.withLinearFrom(s.transfer().linbpStage())),
            new Modifier("ghost", "ghost networks: every skip connection scaled by a random factor per forward, a virtual ensemble (Li et al. 2020)",
                    (s, g) -> g.withSkipErosion(s.transfer().ghostErosion())),
            new Modifier(ILA_NAME, "ILA: the attack's example fine-tuned to push an intermediate layer further along its own change (Huang et al. 2019)",
                    (s, g) -> g)); // wraps the whole attack, see build

    /** Attacks whose runs differ (a random start), the only ones restarts can improve. */
    private static final List<String> RESTARTABLE = List.of("pgd", "apgd-ce", "apgd-dlr", "square", "fab", "fab-t");

    private Attacks() {}

    public static List<Base> bases() {
        return BASES;
    }

    public static List<Modifier> modifiers() {
        return MODIFIERS;
    }

    /** Every base and modifier name, for help texts and completion. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        BASES.forEach(b -> out.add(b.name()));
        MODIFIERS.forEach(m -> out.add(m.name()));
        return out;
    }

    /** The attack a (composed) name stands for, with the given hyper-parameters. */
    public static Attack build(String name, AttackSettings settings) {
        String n = name.toLowerCase(Locale.ROOT).strip();
        Base whole = base(n);
        List<Modifier> mods = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        if (whole == null) {
            for (String token : n.split("-")) {
                Modifier m = MODIFIERS.stream().filter(x -> x.name().equals(token)).findFirst().orElse(null);
                if (m == null) {
                    rest.add(token);
                } else if (mods.contains(m)) {
                    throw unknown(name, "'" + token + "' appears twice");
                } else {
                    mods.add(m);
                }
            }
            rest.remove("fgsm"); // "mi-fgsm", "di-fgsm" name the family; a lone "fgsm" is the base above
        }
        Base base = whole != null ? whole : rest.isEmpty() ? base("bim") : base(String.join("-", rest));
        if (base == null) {
            throw unknown(name, rest.size() > 1 ? "more than one base attack in " + rest : "no attack '" + String.join("-", rest) + "'");
        }
        if (!mods.isEmpty() && !base.takesModifiers()) {
            throw UserError.invalid("attack", "attack '" + name + "': " + base.name() + " does not compose with " + mods.get(0).name());
        }
        if (settings.restarts() != null && settings.restarts() > 1 && !RESTARTABLE.contains(base.name())) {
            throw UserError.invalid("restarts", base.name() + " starts from the clean image every time, so restarts would repeat it; "
                    + "restarts apply to " + RESTARTABLE);
        }
        if (base.name().equals("fgm") && settings.steps() != null && settings.steps() != 1) {
            throw UserError.invalid("steps", "fgm is a single step of size ε; iterate with bim, pgd or mi");
        }
        GradientPipeline pipeline = GradientPipeline.PLAIN;
        // in registry order, so "ti-mi-di" and "mi-di-ti" are the same attack under the same name
        for (Modifier m : MODIFIERS) {
            if (mods.contains(m)) {
                pipeline = m.apply().apply(settings, pipeline);
            }
        }
        Attack attack = base.factory().build(settings, pipeline);
        // ILA is a second stage after the whole attack, not a part of its gradient
        boolean ila = mods.stream().anyMatch(m -> m.name().equals(ILA_NAME));
        return ila ? new ILA(attack, settings.transfer().ilaStage(), settings.transfer().ilaSteps(), 0.1) : attack;
    }

    private static Base base(String n) {
        return BASES.stream().filter(b -> b.name().equals(n) || b.aliases().contains(n)).findFirst().orElse(null);
    }

    private static UserError unknown(String name, String why) {
        return UserError.invalid("attack", "unknown attack '" + name + "' (" + why + "); bases: "
                + String.join(", ", BASES.stream().map(Base::name).toList()) + "; modifiers: "
                + String.join(", ", MODIFIERS.stream().map(Modifier::name).toList()));
    }

    /** The registry as lines "name  help", for listings. */
    public static List<String> help() {
        List<String> out = new ArrayList<>();
        for (Base b : BASES) {
            out.add(String.format("%-9s %s%s", b.name(), b.help(), b.aliases().isEmpty() ? "" : " [also: " + String.join(", ", b.aliases()) + "]"));
        }
        for (Modifier m : MODIFIERS) {
            out.add(String.format("-%-8s %s", m.name(), m.help()));
        }
        return out;
    }
}

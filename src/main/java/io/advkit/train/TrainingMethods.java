package io.advkit.train;

import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The training-method registry: every method by name, with one line of help and its defaults, so the CLI and
 * the benchmarks only look names up. Adding a method is its class and one line in {@link #ENTRIES}.
 */
public final class TrainingMethods {
    /**
     * The hyper-parameters a method may take, in [0,1] units; null means the method's own default (α: 2/255 for
     * the PGD-based methods, 1.25·ε for fgsm-rs; λ: MART 6, ALP/CLP 0.5, gradreg 0.1); {@code collectPerEpoch}: LGV's
     * models per epoch (its paper: 4).
     */
    public record Settings(double eps, Double alpha, int attackSteps, int replays, double beta, Double lambda, int collectPerEpoch) {
        public static Settings defaults(double eps) {
            return new Settings(eps, null, 7, 8, 6, null, 4);
        }

        InnerAttack inner() {
            return new InnerAttack(attackSteps, alpha == null ? 2 / 255.0 : alpha);
        }

        double lambdaOr(double byDefault) {
            return lambda == null ? byDefault : lambda;
        }
    }

    /**
     * A method: its name, one line of help, a caveat the user should see when choosing it (or null), and how it
     * is built from the settings.
     */
    public record Entry(String name, String help, String caveat, Function<Settings, TrainingMethod> factory) {}

    private static final List<Entry> ENTRIES = List.of(
            new Entry("standard", "empirical risk minimization on clean images", null, s -> new StandardTraining()),
            new Entry("noise", "uniformly random points of the ε-ball: the baseline adversarial training must beat", null, s -> new NoiseTraining()),
            new Entry("fgsm", "FGSM training, half clean and half adversarial loss (Goodfellow et al. 2015)", null, s -> new FgsmTraining(0.5)),
            new Entry("fgsm-rs", "fast AT: FGSM from a random start, α = 1.25·ε (Wong et al. 2020)", null,
                    s -> new FastFgsmTraining(s.alpha() == null ? 1.25 : s.alpha() / s.eps())),
            new Entry("free", "free AT: each batch replayed m times, one backward pass for weights and input (Shafahi et al. 2019)", null,
                    s -> new FreeTraining(s.replays())),
            new Entry("pgd", "PGD adversarial training, K steps of α (Madry et al. 2018)", null, s -> new PgdTraining(s.inner())),
            new Entry("trades", "TRADES: clean CE + β·KL(clean ‖ adversarial) (Zhang et al. 2019)", null,
                    s -> new TradesTraining(s.inner(), s.beta())),
            new Entry("mart", "MART: boosted CE + λ·misclassification-weighted KL (Wang et al. 2020)", null,
                    s -> new MartTraining(s.inner(), s.lambdaOr(6))),
            new Entry("mma", "MMA: cross-entropy at each image's closest adversarial point, from PGD at d_max = ε and a bisection to "
                    + "the boundary, mixed ⅓ clean (Ding et al. 2020)", null, s -> new MmaTraining(s.inner(), 10)),
            new Entry("alp", "adversarial logit pairing (Kannan et al. 2018)", null, s -> new LogitPairingTraining(s.inner(), s.lambdaOr(0.5))),
            new Entry("clp", "clean logit pairing (Kannan et al. 2018)", null, s -> new LogitPairingTraining(null, s.lambdaOr(0.5))),
            new Entry("lgv", "LGV: from a trained model (init), SGD at a constant high rate, collecting models as a surrogate "
                    + "collection (Gubri et al. 2022)", null, s -> new LgvTraining(s.collectPerEpoch())),
            new Entry("gradreg", "input-gradient regularization by double backpropagation (Ross and Doshi-Velez 2018)", null,
                    s -> new GradientRegularization(s.lambdaOr(0.1))));

    /** Trains a generator (for Defense-GAN), not a classifier: run by {@link WganGp}, outside this registry's methods. */
    public static final String WGAN_GP = "wgan-gp";

    private TrainingMethods() {}

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static List<String> names() {
        return ENTRIES.stream().map(Entry::name).toList();
    }

    public static Entry entry(String name) {
        return ENTRIES.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow(() -> UserError.invalid("method",
                "unknown training method '" + name + "'; expected one of " + names()));
    }

    public static TrainingMethod create(String name, Settings settings) {
        return entry(name).factory().apply(settings);
    }

    /** The registry as lines "name  help", for listings. */
    public static List<String> help() {
        List<String> out = new ArrayList<>();
        for (Entry e : ENTRIES) {
            out.add(String.format("%-9s %s%s", e.name(), e.help(), e.caveat() == null ? "" : " [caveat: " + e.caveat() + "]"));
        }
        out.add(String.format("%-9s %s", WGAN_GP, "a generator, not a classifier: WGAN-GP (Gulrajani et al. 2017), for the defense-gan defense"));
        return out;
    }
}

package io.advkit.defense;

import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The defense registry: preprocessing steps by name, each NAME[:PARAM] (jpeg:75, slq, bitdepth:4, median:3,
 * noise:0.03, resize-pad:36), chained with "+", alternatives drawn at random per call separated by "|"
 * ("none|jpeg:75|bitdepth:5": a victim that may run any of them), and "shield-ensemble" (SHIELD's ensemble:
 * probabilities averaged over JPEG qualities 20, 40, 60, 80, optionally after other steps). Adding a defense is its class and one line
 * in {@link #TYPES}.
 */
public final class Defenses {
    /** A preprocessing step: its name and aliases, its parameter and default, one line of help, its factory. */
    public record Type(String name, List<String> aliases, String param, String help, Function<String, Preprocessor> factory) {}

    private static final List<Type> TYPES = List.of(
            new Type("jpeg", List.of(), "Q", "JPEG compression at quality Q, default 75 (Dziugaite et al. 2016; Das et al. 2017)",
                    a -> new JpegCompression(intArg("jpeg", a, 75))),
            new Type("slq", List.of(), null, "SHIELD's stochastic local quantization: a random JPEG quality per 8x8 block (Das et al. 2018)",
                    a -> new ShieldSlq()),
            new Type("bitdepth", List.of("bits"), "B", "feature squeezing to B bits per channel, default 4 (Xu et al. 2018)",
                    a -> new BitDepthReduction(intArg("bitdepth", a, 4))),
            new Type("median", List.of(), "K", "KxK median filter, default 3 (Xu et al. 2018)",
                    a -> new MedianFilter(intArg("median", a, 3))),
            new Type("blur", List.of(), "K", "KxK Gaussian smoothing, default 3", a -> new GaussianBlur(intArg("blur", a, 3))),
            new Type("noise", List.of(), "SIGMA", "additive Gaussian noise, default sigma 0.03",
                    a -> new GaussianNoise(doubleArg("noise", a, 0.03))),
            new Type("resize-pad", List.of("randomization"), "SIZE", "random resize and pad to SIZE, default 36 (Xie et al. 2018)",
                    a -> new RandomResizePad(intArg("resize-pad", a, 36))),
            new Type("defense-gan", List.of("defensegan"), "GEN[,R,L]", "the closest image a WGAN generator (GEN.advkit, from training "
                    + "with wgan-gp) makes, by L descent steps from R random codes, default 10, 200 (Samangouei et al. 2018)",
                    DefenseGan::parse));

    /** SHIELD's ensemble, a whole defended model rather than one step (see {@link #wrap}). */
    public static final String SHIELD_ENSEMBLE = "shield-ensemble";

    private Defenses() {}

    public static List<Type> types() {
        return TYPES;
    }

    /** Names for help texts: each step as NAME[:PARAM], and the SHIELD ensemble. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        TYPES.forEach(t -> out.add(t.param() == null ? t.name() : t.name() + ":" + t.param()));
        out.add(SHIELD_ENSEMBLE);
        return out;
    }

    /** The registry as lines "name  help", for listings. */
    public static List<String> help() {
        List<String> out = new ArrayList<>();
        for (Type t : TYPES) {
            out.add(String.format("%-16s %s", t.param() == null ? t.name() : t.name() + ":" + t.param(), t.help()));
        }
        out.add(String.format("%-16s %s", SHIELD_ENSEMBLE, "SHIELD's ensemble: probabilities averaged over JPEG qualities 20, 40, 60, 80 (Das et al. 2018)"));
        out.add("chain steps with +, e.g. median:3+jpeg:75; draw one of several per call with |, e.g. none|jpeg:75|bitdepth:5; none for no defense");
        return out;
    }

    public static boolean isNone(String spec) {
        return spec == null || spec.isBlank() || spec.strip().equalsIgnoreCase("none");
    }

    public static List<Preprocessor> parseSteps(String spec) {
        List<Preprocessor> out = new ArrayList<>();
        for (String part : spec.split("\\+")) {
            String[] kv = part.strip().split(":", 2);
            kv[0] = kv[0].toLowerCase(Locale.ROOT); // a parameter may be a file name: its case is kept
            Type t = TYPES.stream().filter(x -> x.name().equals(kv[0]) || x.aliases().contains(kv[0])).findFirst()
                    .orElseThrow(() -> UserError.invalid("defense", "unknown defense '" + part.strip() + "'; expected one of " + names()
                            + ", chained with +"));
            out.add(t.factory().apply(kv.length > 1 ? kv[1] : null));
        }
        return out;
    }

    private static int intArg(String defense, String arg, int byDefault) {
        try {
            return arg == null ? byDefault : Integer.parseInt(arg);
        } catch (NumberFormatException e) {
            throw UserError.invalid("defense", "defense '" + defense + ":" + arg + "': '" + arg + "' is not a whole number");
        }
    }

    private static double doubleArg(String defense, String arg, double byDefault) {
        try {
            return arg == null ? byDefault : Double.parseDouble(arg);
        } catch (NumberFormatException e) {
            throw UserError.invalid("defense", "defense '" + defense + ":" + arg + "': '" + arg + "' is not a number");
        }
    }

    /** "none|jpeg:75|bitdepth:5": each alternative a chain of steps ("none": no step). */
    private static List<List<Preprocessor>> alternatives(String spec) {
        List<List<Preprocessor>> out = new ArrayList<>();
        for (String alt : spec.split("\\|")) {
            if (alt.toLowerCase(Locale.ROOT).contains(SHIELD_ENSEMBLE)) {
                throw UserError.invalid("defense", SHIELD_ENSEMBLE + " is an ensemble, not one of several steps to draw from");
            }
            out.add(isNone(alt) ? List.of() : parseSteps(alt));
        }
        return out;
    }

    /** Refuses a spec that names no known defense, before any work starts. */
    public static void validate(String spec) {
        if (isNone(spec)) {
            return;
        }
        if (spec.contains("|")) {
            alternatives(spec);
            return;
        }
        String steps = spec.strip().replaceAll("(?i)\\+?" + SHIELD_ENSEMBLE + "$", "");
        if (!steps.isEmpty()) {
            parseSteps(steps);
        }
    }

    /** The model behind the defense spec, attacked through {@code mode}. */
    public static Classifier wrap(Classifier model, String spec, GradientMode mode, DefendedModel.Approximation approx,
                                  int eot, long seed) {
        if (isNone(spec)) {
            return model;
        }
        if (eot < 1) {
            throw UserError.invalid("eot", "EoT needs at least 1 draw per gradient, got " + eot);
        }
        String s = spec.strip();
        if (s.contains("|")) {
            return new DefendedModel(model, List.of(new RandomChoice(alternatives(s), approx)), mode, approx, eot, seed);
        }
        if (s.toLowerCase(Locale.ROOT).endsWith(SHIELD_ENSEMBLE)) {
            String before = s.substring(0, s.length() - SHIELD_ENSEMBLE.length()).replaceAll("\\+$", "");
            List<Classifier> members = new ArrayList<>();
            for (int q : ShieldSlq.QUALITIES) {
                List<Preprocessor> chain = before.isEmpty() ? new ArrayList<>() : parseSteps(before);
                chain.add(new JpegCompression(q));
                members.add(new DefendedModel(model, chain, mode, approx, eot, seed + q));
            }
            return new Ensemble(members, null, Ensemble.Fusion.PROBS);
        }
        return new DefendedModel(model, parseSteps(s), mode, approx, eot, seed);
    }
}

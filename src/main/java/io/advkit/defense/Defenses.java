package io.advkit.defense;

import io.advkit.model.Classifier;
import io.advkit.model.Ensemble;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses defense specs: steps joined by "+", each NAME[:PARAM] — jpeg:75, slq, bitdepth:4, median:3,
 * noise:0.03, resize-pad:36 — and "shield-ensemble" (SHIELD's ensemble: probabilities averaged over JPEG
 * qualities 20, 40, 60, 80, optionally after other steps).
 */
public final class Defenses {
    public static final String HELP = "jpeg:Q, slq, shield-ensemble, bitdepth:B, median:K, noise:SIGMA, resize-pad:SIZE; chain with +";

    private Defenses() {}

    public static List<Preprocessor> parseSteps(String spec) {
        List<Preprocessor> out = new ArrayList<>();
        for (String part : spec.split("\\+")) {
            String[] kv = part.strip().toLowerCase(Locale.ROOT).split(":", 2);
            String arg = kv.length > 1 ? kv[1] : null;
            try {
                out.add(switch (kv[0]) {
                    case "jpeg" -> new JpegCompression(arg == null ? 75 : Integer.parseInt(arg));
                    case "slq" -> new ShieldSlq();
                    case "bitdepth", "bits" -> new BitDepthReduction(arg == null ? 4 : Integer.parseInt(arg));
                    case "median" -> new MedianFilter(arg == null ? 3 : Integer.parseInt(arg));
                    case "noise" -> new GaussianNoise(arg == null ? 0.03 : Double.parseDouble(arg));
                    case "resize-pad", "randomization" -> new RandomResizePad(arg == null ? 36 : Integer.parseInt(arg));
                    default -> throw new UserError("unknown defense '" + part + "'; expected " + HELP);
                });
            } catch (NumberFormatException e) {
                throw new UserError("defense '" + part + "': '" + arg + "' is not a number");
            }
        }
        return out;
    }

    /** The model behind the defense spec, attacked through {@code mode}. */
    public static Classifier wrap(Classifier model, String spec, GradientMode mode, DefendedModel.Approximation approx,
                                  int eot, long seed) {
        String s = spec.strip();
        if (s.toLowerCase(Locale.ROOT).endsWith("shield-ensemble")) {
            String before = s.substring(0, s.length() - "shield-ensemble".length()).replaceAll("\\+$", "");
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

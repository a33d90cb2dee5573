package io.advkit.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Athalye, Carlini and Wagner's (2018) five symptoms of obfuscated gradients, checked on an audit's
 * per-image outcomes ({@code true} = the attack fooled the defended model on that image):
 * <ol>
 *   <li>one-step attacks beat iterative ones;</li>
 *   <li>black-box attacks (transfer, or the gradient-free Square) beat white-box ones;</li>
 *   <li>unbounded attacks do not reach 100% success;</li>
 *   <li>random sampling finds adversarial examples the gradient attacks missed;</li>
 *   <li>increasing the distortion bound does not increase success.</li>
 * </ol>
 * Each check returns whether it fired and the numbers behind it.
 */
public final class Symptoms {
    /** One symptom's verdict: its number in Athalye et al.'s list, what it is, whether it fired, the numbers behind it. */
    public record Check(int symptom, String description, boolean flagged, String evidence) {}

    /** What the checks read, all over the same images. */
    public record Outcomes(boolean[] oneStep, boolean[] iterative, boolean[] transfer, boolean[] gradientFree, boolean[] whiteBox,
                           boolean[] unbounded, boolean[] random, boolean[] gradientAttacks, double[] sweepEps255,
                           double[] sweepSuccess) {}

    private Symptoms() {}

    static int count(boolean[] b) {
        int c = 0;
        for (boolean v : b) {
            c += v ? 1 : 0;
        }
        return c;
    }

    public static List<Check> check(Outcomes o) {
        int n = o.oneStep().length;
        List<Check> out = new ArrayList<>();
        int one = count(o.oneStep());
        int iter = count(o.iterative());
        out.add(new Check(1, "one-step attack beats iterative attack", one > iter,
                String.format("FGSM fooled %d/%d, PGD %d/%d", one, n, iter, n)));
        int transfer = o.transfer() == null ? -1 : count(o.transfer()); // no transfer row without a defense
        int white = count(o.whiteBox());
        int free = o.gradientFree() == null ? -1 : count(o.gradientFree());
        List<String> evidence = new ArrayList<>();
        if (transfer >= 0) {
            evidence.add(String.format("transfer fooled %d/%d", transfer, n));
        }
        if (free >= 0) {
            evidence.add(String.format("gradient-free (Square, SPSA: scores only) %d/%d", free, n));
        }
        evidence.add(String.format("white-box PGD %d/%d", white, n));
        out.add(new Check(2, "black-box (transfer or gradient-free) attack beats white-box attack", transfer > white || free > white,
                String.join(", ", evidence)));
        int unb = count(o.unbounded());
        out.add(new Check(3, "unbounded attack does not reach 100% success", unb < n,
                String.format("unbounded PGD fooled %d/%d", unb, n)));
        int missed = 0;
        for (int i = 0; i < n; i++) {
            missed += o.random()[i] && !o.gradientAttacks()[i] ? 1 : 0;
        }
        out.add(new Check(4, "random sampling finds adversarial examples the gradient attacks missed", missed > 0,
                String.format("random noise fooled %d/%d, of which %d that FGSM/PGD/APGD missed", count(o.random()), n, missed)));
        double[] s = o.sweepSuccess();
        boolean decreases = false;
        for (int k = 1; k < s.length; k++) {
            decreases |= s[k] < s[k - 1] - 2.0; // more than 2 points lower at a larger budget
        }
        // flat: under 10 points gained across the sweep while still short of saturation (an undefended model
        // is at ~100% already at the smallest budget, which is not a symptom)
        boolean flat = s.length >= 2 && s[s.length - 1] - s[0] < 10.0 && s[s.length - 1] < 99.0;
        StringBuilder ev = new StringBuilder("PGD success");
        for (int k = 0; k < s.length; k++) {
            ev.append(String.format("%s eps %s/255: %.1f%%", k == 0 ? "" : ",", fmt(o.sweepEps255()[k]), s[k]));
        }
        out.add(new Check(5, "larger distortion bound does not increase success", s.length >= 2 && (decreases || flat), ev.toString()));
        return out;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}

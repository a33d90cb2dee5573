package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.advkit.model.Classifier;
import io.advkit.util.UserError;

import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Which labels an attack aims at: none (untargeted: move away from the true label), or a target label
 * per image — given, drawn at random among the wrong classes, or the least likely class on the clean image.
 */
public sealed interface Target {
    /** Untargeted. */
    record None() implements Target {}

    /** A uniformly random class other than the true one, drawn from the attack's seed. */
    record Random_() implements Target {}

    /** The class with the lowest clean logit (Kurakin et al.'s "least likely"). */
    record LeastLikely() implements Target {}

    /** Targets given per image name. */
    record Given(Map<String, Integer> byName) implements Target {}

    Target NONE = new None();

    /** none, random, least-likely, or a file of "NAME LABEL" lines (comma or whitespace separated). */
    static Target parse(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "none", "untargeted":
                return NONE;
            case "random":
                return new Random_();
            case "least-likely", "ll":
                return new LeastLikely();
            default:
                break;
        }
        java.nio.file.Path file = java.nio.file.Path.of(s);
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw UserError.invalid("target", "unknown target '" + s + "'; expected none, random, least-likely or a file of NAME LABEL lines");
        }
        Map<String, Integer> targets = new java.util.HashMap<>();
        try {
            for (String line : java.nio.file.Files.readAllLines(file)) {
                String[] f = line.strip().split("[,\\s]+");
                if (f.length == 2 && !line.startsWith("#")) {
                    targets.put(f[0], Integer.parseInt(f[1]));
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    throw new UserError(file + ": line '" + line + "' is not NAME LABEL");
                }
            }
        } catch (java.io.IOException e) {
            throw new UserError(file + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        } catch (NumberFormatException e) {
            throw new UserError(file + ": a label is not a number (" + io.advkit.util.Errors.describe(e) + ")");
        }
        return new Given(targets);
    }

    default boolean targeted() {
        return !(this instanceof None);
    }

    /** The labels the loss is computed against: true labels, or the targets (int64, N). */
    default NDArray labels(Classifier model, NDArray x, NDArray y, String[] names, Random rng) {
        if (this instanceof None) {
            return y;
        }
        long[] truth = y.toLongArray();
        long[] t = new long[truth.length];
        int classes = model.numClasses();
        if (this instanceof Random_) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (truth[i] + 1 + rng.nextInt(classes - 1)) % classes;
            }
        } else if (this instanceof LeastLikely) {
            try (ai.djl.ndarray.NDManager forward = AttackProblem.scopedForward(x, x.getManager())) {
                t = model.logits(x).argMin(1).toLongArray();
            }
        } else if (this instanceof Given g) {
            for (int i = 0; i < t.length; i++) {
                Integer v = g.byName().get(names[i]);
                if (v == null) {
                    throw UserError.invalid("target", "no target label for image " + names[i]);
                }
                if (v < 0 || v >= classes) {
                    throw UserError.invalid("target", "target label " + v + " of image " + names[i] + " is not one of the model's "
                            + classes + " classes (0.." + (classes - 1) + ")");
                }
                t[i] = v;
            }
        }
        return y.getManager().create(t).toType(DataType.INT64, false);
    }
}

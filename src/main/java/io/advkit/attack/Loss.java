package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.advkit.util.Scalars;
import io.advkit.util.UserError;

import java.util.Locale;

/**
 * What an attack maximizes, per example: given logits (N×K) and labels (N, int64) it returns N values.
 * Untargeted losses use the true labels; targeted ones get the target labels and rise as the target wins.
 */
@FunctionalInterface
public interface Loss {
    NDArray perExample(NDArray logits, NDArray labels);

    /** Cross-entropy −log p_y (targeted: log p_t). */
    Loss CE = (z, y) -> z.logSoftmax(1).gather(y.expandDims(1), 1).squeeze(1).neg();
    Loss CE_TARGETED = (z, t) -> CE.perExample(z, t).neg();

    /** Carlini-Wagner margin max_{j≠y} z_j − z_y (targeted: z_t − max_{j≠t} z_j). Positive = misclassified. */
    Loss CW = (z, y) -> maxOther(z, y).sub(trueLogit(z, y));
    Loss CW_TARGETED = (z, t) -> CW.perExample(z, t).neg();

    /**
     * Croce and Hein's Difference of Logits Ratio, invariant to shifting and scaling the logits:
     * −(z_y − max_{j≠y} z_j) / (z_π1 − z_π3), π sorting the logits in decreasing order.
     */
    Loss DLR = (z, y) -> {
        NDArray sorted = z.sort(1).flip(1);
        NDArray denom = sorted.get(":, 0").sub(sorted.get(":, 2")).add(1e-12f);
        return trueLogit(z, y).sub(maxOther(z, y)).neg().div(denom);
    };

    /** Targeted DLR: −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2); needs the true labels too, so see {@link #dlrTargeted}. */
    static Loss dlrTargeted(NDArray trueLabels) {
        return (z, t) -> {
            NDArray sorted = z.sort(1).flip(1);
            NDArray denom = sorted.get(":, 0").sub(Scalars.times(sorted.get(":, 2").add(sorted.get(":, 3")), 0.5)).add(1e-12f);
            return trueLogit(z, trueLabels).sub(trueLogit(z, t)).neg().div(denom);
        };
    }

    static NDArray trueLogit(NDArray z, NDArray y) {
        return z.gather(y.expandDims(1), 1).squeeze(1);
    }

    /** Largest logit other than class y. */
    static NDArray maxOther(NDArray z, NDArray y) {
        NDArray mask = y.oneHot((int) z.getShape().get(1)).toType(DataType.FLOAT32, false);
        return z.sub(mask.mul(1e9f)).max(new int[] {1});
    }

    /** Untargeted losses by name: ce, cw, dlr. */
    static Loss named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "ce", "xent", "cross-entropy" -> CE;
            case "cw", "margin" -> CW;
            case "dlr" -> DLR;
            default -> throw UserError.invalid("loss", "unknown loss '" + name + "'; expected ce, cw or dlr");
        };
    }
}

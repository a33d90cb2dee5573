package io.advkit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.advkit.checkpoint.StateDict;
import io.advkit.checkpoint.Tensor;
import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Copies a state_dict into a module by PyTorch key (strictly, as load_state_dict does) and back out. */
public final class StateDictBinder {
    private static final String BATCHES = "num_batches_tracked";

    private StateDictBinder() {}

    /**
     * Loads every parameter and buffer; refuses, with one line listing them, missing, unexpected and
     * shape-mismatched keys. {@code num_batches_tracked} entries are optional, as in PyTorch.
     */
    public static void load(Module module, StateDict sd, String where, String archName) {
        Map<String, Parameter> params = module.namedParameters();
        Map<String, Layers.BatchNorm2d> bns = batchNorms(module);
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            Tensor t = sd.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(t.shape(), e.getValue().getShape().getShape())) {
                mismatched.add(e.getKey() + " " + Arrays.toString(t.shape()) + " vs model " + e.getValue().getShape());
            }
        }
        for (String k : sd.keys()) {
            boolean bnCount = k.endsWith("." + BATCHES) && bns.containsKey(k.substring(0, k.length() - BATCHES.length() - 1));
            if (!params.containsKey(k) && !bnCount) {
                unexpected.add(k);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new UserError(where + ": weights do not fit architecture " + archName + ": "
                    + summary("missing", missing) + "; " + summary("unexpected", unexpected) + "; "
                    + summary("shape mismatch", mismatched));
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        params.forEach((k, p) -> values.put(k, requireFinite(sd.get(k).toFloatArray(), k, where)));
        params.forEach((k, p) -> copyInto(p.getArray(), values.get(k)));
        module.forgetDerivedWeights(); // folded convolutions were computed from the old weights
        bns.forEach((k, bn) -> {
            Tensor t = sd.get(k + "." + BATCHES);
            if (t != null) {
                bn.setBatchesTracked(t.toLongArray()[0]);
            }
        });
    }

    private static String summary(String what, List<String> keys) {
        if (keys.isEmpty()) {
            return "0 " + what;
        }
        List<String> shown = keys.subList(0, Math.min(4, keys.size()));
        return keys.size() + " " + what + " (" + String.join(", ", shown) + (keys.size() > shown.size() ? ", ..." : "") + ")";
    }

    /**
     * Refuses NaN and infinite weights, naming the tensor: a network with them predicts one class for every input,
     * and everything measured on it (accuracy, attack success) would be silently meaningless.
     */
    private static float[] requireFinite(float[] v, String key, String where) {
        int bad = 0;
        for (float f : v) {
            bad += Float.isFinite(f) ? 0 : 1;
        }
        if (bad > 0) {
            throw new UserError(where + ": tensor '" + key + "' holds " + bad + " NaN or infinite value(s) of " + v.length
                    + "; the weights are corrupt (or from a training run that diverged)");
        }
        return v;
    }

    private static void copyInto(NDArray array, float[] values) {
        boolean grad = array.hasGradient();
        // Swap in a fresh native tensor rather than writing into the old one (an in-place write to a leaf
        // that requires grad is refused). create() wraps a Java direct buffer that lives only as long as
        // the NDArray object that made it, so intern a clone that owns its memory, not that array itself.
        try (NDArray wrapped = array.getManager().create(values, array.getShape())) {
            array.intern(wrapped.duplicate());
        }
        if (grad) {
            array.setRequiresGradient(true);
        }
    }

    /** The module's state as a PyTorch state_dict (BatchNorm counts included, in PyTorch's key order). */
    public static StateDict export(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Layers.BatchNorm2d> bns = batchNorms(module);
        for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            out.put(e.getKey(), Tensor.ofFloats(a.getShape().getShape(), a.toFloatArray()));
            if (e.getKey().endsWith(".running_var")) {
                String prefix = e.getKey().substring(0, e.getKey().length() - ".running_var".length());
                Layers.BatchNorm2d bn = bns.get(prefix);
                if (bn != null) {
                    out.put(prefix + "." + BATCHES, Tensor.ofLongs(new long[0], new long[] {bn.batchesTracked()}));
                }
            }
        }
        return new StateDict(out);
    }

    private static Map<String, Layers.BatchNorm2d> batchNorms(Module module) {
        Map<String, Layers.BatchNorm2d> out = new LinkedHashMap<>();
        module.namedModules().forEach((k, m) -> {
            if (m instanceof Layers.BatchNorm2d bn) {
                out.put(k, bn);
            }
        });
        return out;
    }

}

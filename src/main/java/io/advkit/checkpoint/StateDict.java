package io.advkit.checkpoint;

import io.advkit.util.UserError;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ordered map of parameter names to tensors, as {@code model.state_dict()} gives it. Loading accepts
 * a plain state_dict or one wrapped in a training checkpoint ({@code {'state_dict': ...}} and its usual
 * variants), and drops the {@code module.} prefix that DataParallel adds.
 */
public final class StateDict {
    private static final String[] WRAPPER_KEYS = {"state_dict", "model_state_dict", "model", "net", "state"};

    private final Map<String, Tensor> tensors;

    public StateDict(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    public static StateDict load(Path file) {
        return of(TorchCheckpoint.read(file), file.toString());
    }

    /** Finds the state_dict inside a loaded checkpoint object. */
    public static StateDict of(Object root, String where) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new UserError(where + ": checkpoint holds a " + (root == null ? "None" : root.getClass().getSimpleName())
                    + ", expected a state_dict");
        }
        Map<?, ?> dict = map;
        for (String k : WRAPPER_KEYS) {
            if (map.get(k) instanceof Map<?, ?> inner && !inner.isEmpty() && inner.values().stream().allMatch(v -> v instanceof Tensor)) {
                dict = inner;
                break;
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getValue() instanceof Tensor t)) {
                throw new UserError(where + ": entry '" + e.getKey() + "' is not a tensor; expected a state_dict"
                        + " (or a dict with one under 'state_dict')");
            }
            out.put(String.valueOf(e.getKey()), t);
        }
        if (out.isEmpty()) {
            throw new UserError(where + ": checkpoint holds no tensors");
        }
        if (out.keySet().stream().allMatch(k -> k.startsWith("module."))) {
            Map<String, Tensor> stripped = new LinkedHashMap<>();
            out.forEach((k, v) -> stripped.put(k.substring("module.".length()), v));
            out = stripped;
        }
        return new StateDict(out);
    }

    public Map<String, Tensor> tensors() {
        return tensors;
    }

    public Set<String> keys() {
        return tensors.keySet();
    }

    public Tensor get(String key) {
        return tensors.get(key);
    }

    public int size() {
        return tensors.size();
    }

    /** Writes this state_dict as {@code torch.save} would, loadable by {@code torch.load} (1.6+). */
    public void save(Path file) {
        TorchZipWriter.write(file, tensors);
    }
}

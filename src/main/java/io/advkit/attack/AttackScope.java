package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Native-memory discipline for an attack's loop. DJL attaches an operation's result to its first
 * operand's manager, so a step computed from long-lived arrays would leave its temporaries in their
 * managers, piling up over hundreds of steps. Here each step gets its own manager, with every live array
 * (and the batch's inputs) temporarily attached to it: all of the step's temporaries land there and are
 * freed when it closes. Arrays that must outlive the step are {@link #keep kept} (and stay attached to the
 * step until it ends, so operations on them later in the same step do not leave results in the long-lived
 * scope); the arrays they replace are freed once the step is over. The number of live arrays therefore stays
 * flat however many steps run ({@code AttackMemoryTest}).
 */
final class AttackScope implements AutoCloseable {
    private final NDManager scope;
    private final List<NDArray> inputs;
    private final Set<NDArray> live = Collections.newSetFromMap(new IdentityHashMap<>());
    private final List<NDArray> retired = new ArrayList<>();
    private NDManager current; // the open step, if any

    /** @param inputs batch arrays every step reads (clean images, labels); owned by the caller */
    AttackScope(NDManager parent, NDArray... inputs) {
        this.scope = parent.newSubManager();
        this.inputs = List.of(inputs);
    }

    /** A manager for one step; close it (try-with-resources) at the end of the step, then call {@link #endStep}. */
    NDManager openStep() {
        NDManager step = scope.newSubManager();
        Set<NDArray> reads = Collections.newSetFromMap(new IdentityHashMap<>());
        reads.addAll(live);
        reads.addAll(inputs);
        for (NDArray a : reads) {
            a.tempAttach(step);
        }
        current = step;
        return step;
    }

    /** Keeps {@code next} beyond the current step; {@code old} (may be null) is freed after the step. */
    NDArray keep(NDArray next, NDArray old) {
        next.attach(scope);
        if (current != null && current.isOpen()) {
            // still read later in this step: until it ends, what is computed from it belongs to the step too
            next.tempAttach(current);
        }
        live.add(next);
        if (old != null && old != next) {
            retire(old);
        }
        return next;
    }

    /** Frees a kept array once the current step is over. */
    void retire(NDArray a) {
        live.remove(a);
        retired.add(a);
    }

    /** Frees what the last step replaced; call after the step's manager is closed. */
    void endStep() {
        for (NDArray a : retired) {
            a.close();
        }
        retired.clear();
    }

    /** Hands a kept array to {@code owner}, out of this scope, so that it survives {@link #close}. */
    NDArray release(NDArray a, NDManager owner) {
        live.remove(a);
        a.attach(owner);
        return a;
    }

    @Override
    public void close() {
        live.clear();
        scope.close();
    }
}

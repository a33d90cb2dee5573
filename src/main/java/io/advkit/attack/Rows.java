package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

import java.util.Arrays;

/**
 * Some of a batch's images: attacks that give up on images already fooled (restarts, APGD-T's targets, the
 * evaluation cascade) run their next round on these rows only, and put the results back in place.
 */
final class Rows {
    private Rows() {}

    /** The indices i with {@code !done[i]}. */
    static int[] remaining(boolean[] done) {
        int[] out = new int[done.length];
        int n = 0;
        for (int i = 0; i < done.length; i++) {
            if (!done[i]) {
                out[n++] = i;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * The problem restricted to {@code rows} (its per-image arrays gathered, the rest shared), owned by {@code m}:
     * the gathered arrays and the attack's result live there, not in the original problem's manager.
     */
    static AttackProblem select(AttackProblem p, int[] rows, NDManager m) {
        NDArray idx = m.create(Arrays.stream(rows).asLongStream().toArray());
        NDArray x = p.x().get(idx);
        NDArray y = p.y().get(idx);
        NDArray goal = p.goal() == p.y() ? y : p.goal().get(idx);
        for (NDArray a : new NDArray[] {x, y, goal}) {
            a.attach(m);
        }
        return new AttackProblem(p.model(), x, y, goal, p.targeted(), p.loss(), p.threat(), p.rng(), m, p.progress());
    }

    /** A copy of {@code full} whose {@code rows} are replaced by {@code part}'s rows, in order. */
    static NDArray put(NDArray full, int[] rows, NDArray part) {
        NDArray out = full.duplicate();
        if (rows.length > 0) {
            out.set(new NDIndex("{}", full.getManager().create(Arrays.stream(rows).asLongStream().toArray())), part);
        }
        return out;
    }
}

package io.advkit.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Adam's state for one tensor an attack optimizes (Kingma &amp; Ba 2015; β₁ = 0.9, β₂ = 0.999, ε = 1e-8), one object per
 * run, as Foolbox keeps optimizer state: each {@link #direction} advances the moments m ← β₁m + (1−β₁)g,
 * v ← β₂v + (1−β₂)g² and returns the bias-corrected step direction m̂ / (√v̂ + ε); the attack scales it by its
 * learning rate and picks the sign. The moments live in their own memory and are replaced each step, so an attack's
 * live arrays stay flat however many steps it runs.
 */
final class AdamMoments implements AutoCloseable {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;

    private final NDManager home;
    private NDArray m;
    private NDArray v;
    private int t;

    /** Zero moments for tensors of {@code shape}, in a sub-manager of {@code parent}. */
    AdamMoments(NDManager parent, Shape shape) {
        home = parent.newSubManager();
        m = home.zeros(shape);
        v = home.zeros(shape);
    }

    /** The direction for gradient {@code g}, in g's manager; the moments advance one step. */
    NDArray direction(NDArray g) {
        NDManager step = g.getManager();
        t++;
        m.tempAttach(step); // what is computed from the moments belongs to the step, not to their long-lived memory
        v.tempAttach(step);
        NDArray nm = m.mul(BETA1).add(g.mul(1 - BETA1));
        NDArray nv = v.mul(BETA2).add(g.square().mul(1 - BETA2));
        NDArray direction = nm.div(1 - Math.pow(BETA1, t)).div(nv.div(1 - Math.pow(BETA2, t)).sqrt().add(1e-8f));
        m.close();
        v.close();
        m = nm;
        v = nv;
        m.attach(home);
        v.attach(home);
        return direction;
    }

    @Override
    public void close() {
        home.close();
    }
}

package io.advkit.eval;

import ai.djl.ndarray.NDArray;
import io.advkit.attack.ThreatModel;

/** Rounds a batch of attack outputs to what would be saved (8-bit, within budget), as floats again. */
public final class Lattice {
    private Lattice() {}

    public static NDArray round(NDArray adv, NDArray clean, ThreatModel tm) {
        float[] a = adv.toFloatArray();
        float[] c = clean.toFloatArray();
        int n = (int) adv.getShape().get(0);
        int per = a.length / n;
        float[] out = new float[a.length];
        for (int i = 0; i < n; i++) {
            float[] ai = new float[per];
            int[] ci = new int[per];
            System.arraycopy(a, i * per, ai, 0, per);
            for (int k = 0; k < per; k++) {
                ci[k] = Math.round(c[i * per + k] * 255f);
            }
            int[] px = tm.toPixels(ai, ci);
            for (int k = 0; k < per; k++) {
                out[i * per + k] = px[k] / 255f;
            }
        }
        return adv.getManager().create(out, adv.getShape());
    }
}

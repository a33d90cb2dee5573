package io.advkit.model;

/** The largest absolute difference from a reference, relative to the reference's largest magnitude (floored at 1e-6). */
final class RelativeError {
    private RelativeError() {}

    static double max(float[] value, double[] ref) {
        double scale = 1e-6;
        double d = 0;
        for (int i = 0; i < value.length; i++) {
            scale = Math.max(scale, Math.abs(ref[i]));
            d = Math.max(d, Math.abs(value[i] - ref[i]));
        }
        return d / scale;
    }

    static double max(float[] value, float[] ref) {
        double[] r = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            r[i] = ref[i];
        }
        return max(value, r);
    }
}

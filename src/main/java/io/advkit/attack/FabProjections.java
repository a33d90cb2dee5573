package io.advkit.attack;

import java.util.Arrays;

/**
 * FAB's projections (Croce and Hein 2020, appendix; AutoAttack's fab_projections.py), one point at a time: the
 * smallest perturbation d, in L∞, L2 or L1, that puts t + d on the hyperplane w·z = b while keeping t + d in the
 * box [0,1]^D (or as close to the hyperplane as the box allows). Each is a sort of the coordinates by where they
 * hit the box, then a binary search for the step at which the hyperplane is reached.
 */
final class FabProjections {
    private FabProjections() {}

    static float[] project(Norm norm, float[] t, float[] w, double b) {
        return switch (norm) {
            case LINF -> linf(t, w, b);
            case L2 -> l2(t, w, b);
            case L1 -> l1(t, w, b);
        };
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /**
     * Indices of {@code v} in increasing order of value, ties by index. Each key is packed as its float's
     * order-preserving bits above the index, so one primitive sort does it (this runs twice per image per FAB step).
     */
    static int[] argsort(double[] v) {
        long[] packed = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            int bits = Float.floatToIntBits((float) v[i]);
            bits ^= (bits >> 31) & 0x7fffffff; // negative floats: reverse their order
            packed[i] = ((long) bits << 32) | i;
        }
        Arrays.sort(packed);
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (int) packed[i];
        }
        return out;
    }

    private static int log2Ceil(int n) {
        return (int) Math.ceil(Math.log(n) / Math.log(2));
    }

    /**
     * The point and the hyperplane in double precision, the hyperplane's sign chosen so that t lies on its non-negative
     * side: c = w·t − b ≥ 0 (each projection starts so, as the reference's do).
     */
    private record Oriented(double[] t, double[] w, double b, double c) {
        static Oriented of(float[] tIn, float[] wIn, double bIn) {
            int n = tIn.length;
            double[] t = new double[n];
            double[] w = new double[n];
            double wt = 0;
            for (int i = 0; i < n; i++) {
                t[i] = tIn[i];
                w[i] = wIn[i];
                wt += w[i] * t[i];
            }
            double c = wt - bIn;
            double sign = c >= 0 ? 1 : -1;
            for (int i = 0; i < n; i++) {
                w[i] *= sign;
            }
            return new Oriented(t, w, bIn * sign, c * sign);
        }
    }

    static float[] linf(float[] tIn, float[] wIn, double bIn) {
        Oriented h = Oriented.of(tIn, wIn, bIn);
        int n = h.t.length;
        double[] t = h.t;
        double[] w = h.w;
        double b = h.b;
        double[] a = new double[n];
        double[] d = new double[n];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = w[i] < 0 ? 1 : 0;
            d[i] = w[i] != 0 ? a[i] - t[i] : 0;
            p[i] = a[i] - t[i] * (2 * a[i] - 1);
        }
        int[] indp = argsort(p);
        double wt = 0;
        double b0 = 0;
        for (int i = 0; i < n; i++) {
            wt += w[i] * t[i];
            b0 += w[i] * d[i];
        }
        b = b - wt;
        // coordinates from the one with the largest p down
        double[] s = new double[n];
        double[] sb = new double[n];
        double accS = 0;
        double accB = 0;
        for (int j = 0; j < n; j++) {
            int k = indp[n - 1 - j];
            accS += Math.abs(w[k]);
            accB += -w[k] * d[k];
            s[j] = accS;
            sb[j] = accB + b0;
        }
        double b2 = sb[n - 1] - s[n - 1] * p[indp[0]];
        boolean cl = b - b2 > 0;
        boolean c2 = (b - b0 > 0) && !cl;
        if (cl) {
            double lmbd = Math.max((b - sb[n - 1]) / (-s[n - 1]), 0);
            for (int i = 0; i < n; i++) {
                d[i] = (2 * a[i] - 1) * lmbd;
            }
        } else if (c2) {
            double lb = 0;
            double ub = n - 1;
            for (int it = 0; it < log2Ceil(n); it++) {
                double mid = Math.floor((lb + ub) / 2);
                int m = (int) mid;
                int cur = indp[n - 1 - m];
                double bm = sb[m] - s[m] * p[cur];
                if (b - bm > 0) {
                    lb = mid;
                } else {
                    ub = mid;
                }
            }
            int l = (int) lb;
            double lmbd = Math.max((b - sb[l]) / (-s[l]), 0);
            for (int i = 0; i < n; i++) {
                d[i] = a[i] == 1 ? Math.min(lmbd, d[i]) : Math.max(-lmbd, d[i]);
            }
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = w[i] != 0 ? (float) d[i] : 0f;
        }
        return out;
    }

    static float[] l2(float[] tIn, float[] wIn, double bIn) {
        Oriented h = Oriented.of(tIn, wIn, bIn);
        int n = h.t.length;
        double[] t = h.t;
        double[] w = h.w;
        double c = h.c;
        double big = 1e12;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            double v = Math.max(t[i] / w[i], (t[i] - 1) / w[i]);
            v = Math.max(-big, Math.min(big, v));
            if (Math.abs(w[i]) < 1e-8 || Double.isNaN(v)) {
                v = big;
            }
            if (v == -big) {
                v = big;
            }
            r[i] = v;
        }
        int[] indr = argsort(r);
        double[] rs = new double[n];
        double[] rs2 = new double[n];
        for (int j = 0; j < n; j++) {
            rs[j] = r[indr[j]];
            rs2[j] = j + 1 < n ? r[indr[j + 1]] : 0;
        }
        for (int j = 0; j < n; j++) {
            if (rs[j] == big) {
                rs[j] = 0;
            }
            if (rs2[j] == big) {
                rs2[j] = 0;
            }
        }
        double w5 = 0;
        double[] w3s = new double[n];
        for (int j = 0; j < n; j++) {
            w3s[j] = w[indr[j]] * w[indr[j]];
            w5 += w3s[j];
        }
        double[] ws = new double[n];
        double acc = 0;
        for (int j = 0; j < n; j++) {
            acc += w3s[j];
            ws[j] = w5 - acc;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = Math.abs(w[i]) > 1e-8 ? -(r[i] * w[i]) : 0;
        }
        double[] s = new double[n + 1];
        s[0] = -w5 * rs[0];
        acc = 0;
        for (int j = 0; j < n; j++) {
            acc += (-rs2[j] + rs[j]) * ws[j];
            s[j + 1] = acc - w5 * rs[0];
        }
        double dw = 0;
        for (int i = 0; i < n; i++) {
            dw += d[i] * w[i];
        }
        boolean c4 = s[0] + c < 0;
        boolean c3 = dw + c > 0;
        if (c4) {
            double alpha = c / w5;
            for (int i = 0; i < n; i++) {
                d[i] = -alpha * w[i];
            }
        } else if (!c3) {
            double lb = 0;
            double ub = n - 1;
            for (int it = 0; it < log2Ceil(n); it++) {
                double mid = Math.floor((lb + ub) / 2);
                if (s[(int) mid] + c > 0) {
                    lb = mid;
                } else {
                    ub = mid;
                }
            }
            int l = (int) lb;
            double alpha = ws[l] == 0 ? 0 : (s[l] + c) / ws[l] + rs[l];
            for (int i = 0; i < n; i++) {
                if (!(alpha > r[i])) {
                    d[i] = -alpha * w[i];
                }
            }
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.abs(w[i]) > 1e-8 ? (float) d[i] : 0f;
        }
        return out;
    }

    static float[] l1(float[] tIn, float[] wIn, double bIn) {
        Oriented h = Oriented.of(tIn, wIn, bIn);
        int n = h.t.length;
        double[] t = h.t;
        double[] w = h.w;
        double c = h.c;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = Math.min(Math.abs(1 / w[i]), 1e12);
        }
        int[] indr = argsort(r);
        int[] rank = new int[n]; // position of coordinate i in the sorted order
        for (int j = 0; j < n; j++) {
            rank[indr[j]] = j;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = w[i] != 0 ? -t[i] + (w[i] < 0 ? 1 : 0) : 0;
        }
        double[] s = new double[n + 1];
        s[0] = c;
        for (int j = 0; j < n; j++) {
            int k = indr[j];
            s[j + 1] = s[j] + Math.min(-w[k] * t[k], w[k] * (1 - t[k]));
        }
        if (s[n] < 0) {
            double lb = 0;
            double ub = n + 1;
            for (int it = 0; it < log2Ceil(n); it++) {
                double mid = Math.floor((lb + ub) / 2);
                if (s[(int) mid] > 0) {
                    lb = mid;
                } else {
                    ub = mid;
                }
            }
            int l = (int) lb;
            int k = indr[l];
            double alpha = -s[l] / w[k];
            for (int i = 0; i < n; i++) {
                if (!(rank[i] < l)) {
                    d[i] = 0;
                }
            }
            d[k] = alpha;
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.abs(w[i]) > 1e-8 ? (float) d[i] : 0f;
        }
        return out;
    }

    /** ‖v‖ in the norm. */
    static double norm(Norm norm, float[] v) {
        double s = 0;
        for (float x : v) {
            s = switch (norm) {
                case LINF -> Math.max(s, Math.abs(x));
                case L2 -> s + (double) x * x;
                case L1 -> s + Math.abs(x);
            };
        }
        return norm == Norm.L2 ? Math.sqrt(s) : s;
    }

    /** The dual norm (L1 for L∞, L2 for L2, L∞ for L1): the distance to a hyperplane is |f| / ‖∇f‖_dual. */
    static double dualNorm(Norm norm, float[] v) {
        return norm(switch (norm) {
            case LINF -> Norm.L1;
            case L2 -> Norm.L2;
            case L1 -> Norm.LINF;
        }, v);
    }

    static float[] copy(float[] v) {
        return Arrays.copyOf(v, v.length);
    }
}

package io.advkit.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Timing for the bench commands (not for tests: timings belong in docs/BENCHMARKS.md). Variants are
 * measured in interleaved rounds and summarized by their median, so that a slow spell of a shared machine
 * hits every variant alike and their ratios stay meaningful.
 */
public final class Benchmarks {
    private Benchmarks() {}

    /** Images/s of each variant (one call = one batch of {@code batch} images): median over {@code rounds}. */
    public static Map<String, Double> compare(int batch, int rounds, double secondsPerRound, Map<String, Runnable> variants) {
        Map<String, double[]> rates = new LinkedHashMap<>();
        variants.forEach((name, body) -> {
            for (int i = 0; i < 2; i++) {
                body.run(); // warm-up: allocator, kernels, JIT
            }
            rates.put(name, new double[rounds]);
        });
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, Runnable> v : variants.entrySet()) {
                rates.get(v.getKey())[r] = imagesPerSecond(batch, secondsPerRound, v.getValue());
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        rates.forEach((k, v) -> out.put(k, median(v)));
        return out;
    }

    static double imagesPerSecond(int batch, double seconds, Runnable body) {
        long start = System.nanoTime();
        long calls = 0;
        while (calls < 2 || (System.nanoTime() - start) / 1e9 < seconds) {
            body.run();
            calls++;
        }
        return calls * batch / ((System.nanoTime() - start) / 1e9);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

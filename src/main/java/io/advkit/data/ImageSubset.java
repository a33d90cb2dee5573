package io.advkit.data;

import io.advkit.util.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A selection of another set's images, kept in the source's order: the first N ("a quick try on a few
 * images"), or N drawn evenly from every class with a seed (a small sample that still covers every class).
 * Images are read from the source on demand; nothing is copied.
 */
public final class ImageSubset implements ImageSet {
    private final ImageSet source;
    private final int[] indices;
    private final String description;

    private ImageSubset(ImageSet source, int[] indices, String description) {
        this.source = source;
        this.indices = indices;
        this.description = description;
    }

    /** The first {@code n} images (all of them when the set is smaller). */
    public static ImageSet first(ImageSet set, int n) {
        requirePositive(n, "limit");
        if (n >= set.size()) {
            return set;
        }
        int[] idx = new int[n];
        Arrays.setAll(idx, i -> i);
        return new ImageSubset(set, idx, set.describe() + " (first " + n + ")");
    }

    /**
     * {@code n} images spread evenly over the classes: each class's images in a seeded random order, then one
     * from every class in turn, until n are chosen. The same set, n and seed always give the same images.
     */
    public static ImageSet balanced(ImageSet set, int n, long seed) {
        requirePositive(n, "subset");
        if (n >= set.size()) {
            return set;
        }
        Map<Integer, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < set.size(); i++) {
            byClass.computeIfAbsent(set.label(i), k -> new ArrayList<>()).add(i);
        }
        Random rng = new Random(seed);
        List<List<Integer>> queues = new ArrayList<>();
        for (List<Integer> members : byClass.values()) {
            java.util.Collections.shuffle(members, rng);
            queues.add(members);
        }
        int[] chosen = new int[n];
        int k = 0;
        for (int round = 0; k < n; round++) {
            for (List<Integer> q : queues) {
                if (round < q.size() && k < n) {
                    chosen[k++] = q.get(round);
                }
            }
        }
        Arrays.sort(chosen);
        return new ImageSubset(set, chosen, set.describe() + " (" + n + " drawn evenly from " + byClass.size() + " classes, seed " + seed + ")");
    }

    private static void requirePositive(int n, String what) {
        if (n < 1) {
            throw UserError.invalid(what, "a selection of images needs at least 1 image, got " + n);
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public String name(int i) {
        return source.name(indices[i]);
    }

    @Override
    public int label(int i) {
        return source.label(indices[i]);
    }

    @Override
    public Image image(int i) {
        return source.image(indices[i]);
    }

    @Override
    public List<String> classNames() {
        return source.classNames();
    }

    @Override
    public String describe() {
        return description;
    }
}

package io.advkit.data;

import io.advkit.util.UserError;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * Streams an image set (or a selection of it) in batches, decoding the next batch on a background
 * thread while the caller works on the current one. At most two batches of floats exist at a time,
 * whatever the size of the set.
 */
public final class Batches implements Iterable<Batch> {
    private final ImageSet set;
    private final int[] order;
    private final int batchSize;

    public Batches(ImageSet set, int batchSize) {
        this(set, IntStream.range(0, set.size()).toArray(), batchSize);
    }

    /** Batches over the images {@code order} names, in that order. */
    public Batches(ImageSet set, int[] order, int batchSize) {
        if (batchSize <= 0) {
            throw UserError.invalid("batch size", "a batch needs at least 1 image, got " + batchSize);
        }
        this.set = set;
        this.order = order;
        this.batchSize = batchSize;
    }

    public int count() {
        return (order.length + batchSize - 1) / batchSize;
    }

    /** How many images batch {@code batchIndex} holds (the last one may hold fewer). */
    public int size(int batchIndex) {
        return Math.min(batchSize, order.length - batchIndex * batchSize);
    }

    /** Decodes one batch now, on the calling thread (images in parallel). */
    public Batch load(int batchIndex) {
        int from = batchIndex * batchSize;
        int n = size(batchIndex);
        int[] idx = new int[n];
        int[] labels = new int[n];
        System.arraycopy(order, from, idx, 0, n);
        Image first = set.image(idx[0]);
        int w = first.width();
        int h = first.height();
        int c = first.channels();
        float[] px = new float[n * c * w * h];
        IntStream.range(0, n).parallel().forEach(k -> {
            Image img = k == 0 ? first : set.image(idx[k]);
            requireSize(img, first, set, idx[k]);
            Batch.put(img, px, k);
        });
        for (int k = 0; k < n; k++) {
            labels[k] = set.label(idx[k]);
        }
        return new Batch(idx, labels, px, c, w, h);
    }

    /** Image i has the shape of {@code first}: a batch needs one size and one kind (RGB or grayscale). */
    static void requireSize(Image img, Image first, ImageSet set, int i) {
        if (img.width() != first.width() || img.height() != first.height()) {
            throw UserError.invalid("resize", set.describe() + "/" + set.name(i) + ": image is " + img.width() + "x" + img.height()
                    + " but the others are " + first.width() + "x" + first.height() + "; a batch needs one size (resize and crop them)");
        }
        if (img.channels() != first.channels()) {
            throw new UserError(set.describe() + "/" + set.name(i) + ": image is " + img.kind() + " but the others are "
                    + first.kind() + "; a set holds one kind");
        }
    }

    @Override
    public Iterator<Batch> iterator() {
        return new Iterator<>() {
            private final ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "advkit-prefetch");
                t.setDaemon(true);
                return t;
            });
            private int next = 0;
            private CompletableFuture<Batch> ahead = count() > 0 ? submit(0) : null;

            private CompletableFuture<Batch> submit(int b) {
                return CompletableFuture.supplyAsync(() -> load(b), pool);
            }

            @Override
            public boolean hasNext() {
                if (next >= count()) {
                    pool.shutdown();
                    return false;
                }
                return true;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Batch b;
                try {
                    b = ahead.join();
                } catch (CompletionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw e;
                }
                next++;
                ahead = next < count() ? submit(next) : null;
                return b;
            }
        };
    }
}

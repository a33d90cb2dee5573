package io.advkit.train;

import io.advkit.data.Batch;
import io.advkit.data.DecodedImages;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Training batches from decoded 8-bit images: each epoch a fresh shuffle, each image randomly cropped
 * from its 4-pixel zero-padded version and flipped horizontally with probability ½ (the standard CIFAR
 * recipe), built on a background thread two batches ahead, so the engine, not Java, sets the pace.
 * Every random choice derives from (seed, epoch, batch), so batch b of epoch e is the same whenever it
 * is built: a resumed run sees exactly the batches an uninterrupted run would. The last incomplete batch
 * of an epoch is dropped, keeping every batch the same size (Free AT carries a batch-shaped perturbation).
 */
public final class TrainBatches {
    private static final int PAD = 4;
    private final DecodedImages data;
    private final int batchSize;
    private final long seed;
    private final boolean augment;

    public TrainBatches(DecodedImages data, int batchSize, long seed, boolean augment) {
        if (data.size() < batchSize) {
            throw io.advkit.util.UserError.invalid("batch size", "the training set has " + data.size() + " images, fewer than one batch of " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.augment = augment;
    }

    public int perEpoch() {
        return data.size() / batchSize;
    }

    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = new SplittableRandom(h ^ (p * 0xBF58476D1CE4E5B9L)).nextLong();
        }
        return h;
    }

    /** The epoch's image order: a Fisher-Yates shuffle seeded by (seed, epoch). */
    int[] order(int epoch) {
        int[] idx = new int[data.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        SplittableRandom r = new SplittableRandom(mix(seed, epoch));
        for (int i = idx.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /** Builds batch b of the epoch whose order is given. */
    Batch build(int[] order, int epoch, int b) {
        int w = data.width();
        int h = data.height();
        int plane = w * h;
        int ch = data.channels();
        int[] idx = new int[batchSize];
        int[] labels = new int[batchSize];
        float[] px = new float[batchSize * ch * plane];
        SplittableRandom r = new SplittableRandom(mix(seed, epoch, b, 1));
        byte[] src = data.pixels();
        for (int k = 0; k < batchSize; k++) {
            int i = order[b * batchSize + k];
            idx[k] = i;
            labels[k] = data.label(i);
            int dy = augment ? r.nextInt(2 * PAD + 1) - PAD : 0;
            int dx = augment ? r.nextInt(2 * PAD + 1) - PAD : 0;
            boolean flip = augment && r.nextBoolean();
            int base = i * plane * ch;
            int out = k * ch * plane;
            for (int yy = 0; yy < h; yy++) {
                int sy = yy + dy;
                for (int xx = 0; xx < w; xx++) {
                    int sx = (flip ? w - 1 - xx : xx) + dx;
                    boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                    for (int c = 0; c < ch; c++) {
                        px[out + c * plane + yy * w + xx] = inside ? (src[base + (sy * w + sx) * ch + c] & 0xFF) / 255f : 0f;
                    }
                }
            }
        }
        return new Batch(idx, labels, px, ch, w, h);
    }

    /** Batches {@code from}.. of an epoch, prefetched on a daemon thread. */
    public Iterator<Batch> epoch(int epoch, int from) {
        int[] order = order(epoch);
        int n = perEpoch();
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(2);
        Thread t = new Thread(() -> {
            try {
                for (int b = from; b < n; b++) {
                    queue.put(build(order, epoch, b));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                try {
                    queue.put(e);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "advkit-train-batches");
        t.setDaemon(true);
        t.start();
        return new Iterator<>() {
            int next = from;

            @Override
            public boolean hasNext() {
                if (next >= n) {
                    t.interrupt();
                }
                return next < n;
            }

            @Override
            public Batch next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                try {
                    Object o = queue.take();
                    if (o instanceof RuntimeException e) {
                        throw e;
                    }
                    next++;
                    return (Batch) o;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
    }
}

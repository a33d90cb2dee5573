package io.advkit.dist;

import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A job as a cluster runs it: a list of batches, each independent and deterministic (batch b holds the same images
 * and draws from seed (seed, b) wherever and however often it runs), so any contiguous run of batches — a shard — can
 * be done by any process, redone after a failure, and gives the files and records the single-process run gives.
 */
public interface ShardedJob {
    /** How many batches the whole job has. */
    int batches();

    /**
     * Does batches [from, to): writes their files (each atomically) into this job's output folder and returns one
     * record per batch, as a JSON line, in batch order.
     */
    List<String> run(int from, int to);

    /**
     * The job whose batch b is {@code batch.apply(b, manager)}: one JSON line, computed with a manager of its own that
     * is closed (its native memory freed) as soon as the batch is done.
     */
    static ShardedJob ofBatches(int count, BiFunction<Integer, NDManager, String> batch) {
        return new ShardedJob() {
            @Override
            public int batches() {
                return count;
            }

            @Override
            public List<String> run(int from, int to) {
                List<String> lines = new ArrayList<>();
                try (NDManager root = NDManager.newBaseManager()) {
                    for (int b = from; b < to; b++) {
                        try (NDManager m = root.newSubManager()) {
                            lines.add(batch.apply(b, m));
                        }
                    }
                }
                return lines;
            }
        };
    }
}

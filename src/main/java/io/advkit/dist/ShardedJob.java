package io.advkit.dist;

import java.util.List;

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
}

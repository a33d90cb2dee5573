package io.advkit.dist;

import io.advkit.util.UserError;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs a {@link ShardedJob} on many processes. The core has no implementation: the advkit-spark module provides
 * one through {@link ServiceLoader}, so that Spark is never on the path of a user who does not ask for it.
 *
 * <p>Every worker builds the job itself from the command line ({@code io.advkit.cli.Shards.open}), with its output
 * folder replaced by a scratch folder of its own; the implementation moves each finished shard's files into
 * {@code out} and keeps the shard's records there, so that a retried or repeated shard never writes a record
 * twice and a rerun skips finished shards.
 */
public interface Cluster {
    /**
     * What to run.
     *
     * @param master          where (Spark's master URL: local[N], spark://host:port, yarn, k8s://...)
     * @param conf            extra settings for the cluster (key=value)
     * @param args            the advkit command line, as given (without the cluster options' effect on the job)
     * @param out             where the shards' files and records go (null: the job writes no files)
     * @param batches         the job's batch count
     * @param batchesPerShard how many consecutive batches make a shard
     * @param quiet           no progress output
     */
    record Request(String master, Map<String, String> conf, List<String> args, Path out, int batches, int batchesPerShard, boolean quiet) {
        public int shards() {
            return (batches + batchesPerShard - 1) / batchesPerShard;
        }
    }

    /** What came back: every batch's record in batch order, and the batches an earlier run had finished. */
    record Result(List<String> records, java.util.Set<Integer> resumedBatches) {}

    Result run(Request request);

    /** Removes the shards' records kept in {@code out} once the job's own result file is written. */
    void forgetShards(Path out);

    /** The cluster implementation on the class path, or an error saying how to get one. */
    static Cluster find() {
        return ServiceLoader.load(Cluster.class).findFirst().orElseThrow(() -> UserError.invalid("spark",
                "running on a cluster needs the advkit-spark module on the class path: build it (mvn -f spark/pom.xml package) "
                        + "and run bin/advkit, which picks it up"));
    }
}

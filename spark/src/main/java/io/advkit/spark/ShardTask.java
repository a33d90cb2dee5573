package io.advkit.spark;

import io.advkit.cli.Shards;
import io.advkit.dist.ShardedJob;
import io.advkit.util.Errors;
import io.advkit.util.UserError;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One Spark task: one shard of the job, on whichever executor Spark chose. The job is built from the command line
 * once per executor process and kept (its models with it), writing into a scratch folder of that process.
 *
 * <p>Shards run one at a time per process: DJL's gradient collector is one flag per JVM (two threads collecting
 * gradients at once fail), and the engine's own threads already use the executor's cores. So an executor runs
 * with one task slot ({@code spark.executor.cores=1}) and {@code --threads} engine threads; with {@code local[N]} the
 * N task threads take turns here (useful for tests, not for speed).
 */
final class ShardTask implements Function<Integer, List<String>> {
    private static final long serialVersionUID = 1L;
    private static final Object ONE_AT_A_TIME = new Object();
    private static final Map<List<String>, Opened> JOBS = new HashMap<>(); // guarded by ONE_AT_A_TIME

    private record Opened(ShardedJob job, Path scratch) {}

    private final List<String> args;
    private final String out; // null: the job writes no files
    private final int batches;
    private final int batchesPerShard;

    ShardTask(List<String> args, Path out, int batches, int batchesPerShard) {
        this.args = List.copyOf(args);
        this.out = out == null ? null : out.toString();
        this.batches = batches;
        this.batchesPerShard = batchesPerShard;
    }

    @Override
    public List<String> call(Integer shard) {
        ShardStore store = out == null ? null : new ShardStore(io.advkit.util.StoragePaths.parse(out));
        synchronized (ONE_AT_A_TIME) {
            if (store != null) {
                var done = store.records(shard);
                if (done.isPresent()) {
                    return done.get(); // an earlier attempt finished it (a retry, or a speculative copy)
                }
            }
            Opened opened = JOBS.computeIfAbsent(args, a -> open());
            if (opened.job().batches() != batches) {
                throw new IllegalStateException("the executor sees " + opened.job().batches() + " batches, the driver " + batches
                        + ": is the data the same on every node?");
            }
            int from = shard * batchesPerShard;
            List<String> records = opened.job().run(from, Math.min(batches, from + batchesPerShard));
            if (store != null) {
                TaskContext t = TaskContext.get();
                String attempt = t == null ? "local" : "t" + t.taskAttemptId();
                store.publish(shard, opened.scratch(), records, attempt);
            }
            return records;
        }
    }

    private Opened open() {
        try {
            Path scratch = Files.createTempDirectory("advkit-shard-");
            scratch.toFile().deleteOnExit();
            return new Opened(Shards.open(args, scratch), scratch);
        } catch (IOException e) {
            throw new UserError("cannot create a scratch folder (" + Errors.describe(e) + ")");
        }
    }
}

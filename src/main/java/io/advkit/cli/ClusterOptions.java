package io.advkit.cli;

import io.advkit.dist.Cluster;
import io.advkit.util.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a job runs: in this process (the default), or sharded over an Apache Spark cluster. */
public class ClusterOptions {
    /**
     * Batches per shard when --shard-size is not given: one, for the best balance between executors. A task's own
     * cost is well under a second (docs/BENCHMARKS.md: ten shards took as long as two on the homework job).
     */
    static final int DEFAULT_BATCHES_PER_SHARD = 1;

    @Option(names = "--spark", paramLabel = "MASTER",
            description = "run on Apache Spark, sharded by images: local[N], spark://host:port, yarn or k8s://... (needs the advkit-spark module)")
    String master;

    @Option(names = "--shard-size", paramLabel = "N",
            description = "images per Spark task, a multiple of --batch-size (default: one batch)")
    Integer shardSize;

    @Option(names = "--spark-conf", paramLabel = "KEY=VALUE", description = "a Spark setting for the job (repeatable), e.g. spark.executor.memory=4g")
    Map<String, String> conf = new LinkedHashMap<>();

    boolean enabled() {
        return master != null;
    }

    /** Checks the settings before anything is loaded or written; a shard is whole batches, so it gives the same draws. */
    void check(int batchSize) {
        if (master == null) {
            if (shardSize != null || !conf.isEmpty()) {
                throw new UserError((shardSize != null ? "--shard-size" : "--spark-conf") + " configures a Spark run; add --spark MASTER");
            }
            return;
        }
        if (shardSize != null && (shardSize < batchSize || shardSize % batchSize != 0)) {
            throw new UserError("--shard-size must be a positive multiple of --batch-size (" + batchSize + "), got " + shardSize
                    + ": a shard holds whole batches so that each batch sees the same images and draws as in one process");
        }
        Cluster.find(); // without the module, say so before anything is loaded or written
    }

    /** Runs the job's batches on the cluster; {@code out} null for jobs that write no files. */
    Cluster.Result run(CommandSpec spec, Path out, int batches, int batchSize, boolean quiet) {
        int perShard = shardSize == null ? DEFAULT_BATCHES_PER_SHARD : shardSize / batchSize;
        return Cluster.find().run(new Cluster.Request(master, conf, portableArgs(spec.commandLine().getParseResult()), out, batches, perShard, quiet));
    }

    /** The options whose values are model specs (NAME=FILE, lgv:DIR, FILE.advkit, ...). */
    private static final java.util.Set<String> MODEL_OPTIONS = java.util.Set.of("--model", "--surrogate", "--victim", "--surrogate-only");

    /**
     * The command line as a worker in another folder must read it: the command's name, then every option given,
     * with files (Path options, the files inside model specs, LABEL=DIR values) made absolute. Workers share the file
     * system (a shared mount) or are this machine; they do not share the driver's working folder.
     */
    static List<String> portableArgs(CommandLine.ParseResult parsed) {
        List<String> args = new ArrayList<>(List.of(parsed.commandSpec().name()));
        for (OptionSpec o : new java.util.LinkedHashSet<>(parsed.matchedOptions())) { // listed once per occurrence
            if (o.arity().max() == 0) { // a flag
                args.add(o.longestName());
                continue;
            }
            boolean isPath = o.type() == Path.class || Arrays.asList(o.auxiliaryTypes()).contains(Path.class);
            boolean isSpec = MODEL_OPTIONS.contains(o.longestName());
            boolean isFile = o.paramLabel().endsWith("DIR") || o.paramLabel().endsWith("FILE"); // e.g. --adv [LABEL=]DIR
            for (String v : o.originalStringValues()) {
                args.add(o.longestName());
                args.add(isPath ? absolute(v) : isSpec ? absoluteSpec(v) : isFile ? absoluteAfterLabel(v) : v);
            }
        }
        args.addAll(parsed.matchedPositionals().stream().flatMap(p -> p.originalStringValues().stream()).toList());
        return args;
    }

    /** A model spec with its file made absolute: NAME=FILE, PREFIX:FILE (lgv, torchscript, onnx) or FILE.advkit; names (a zoo model, lgv:NAME) as they are. */
    static String absoluteSpec(String spec) {
        if (spec.indexOf('=') >= 0) {
            return absoluteAfterLabel(spec);
        }
        for (String prefix : List.of("lgv:", "torchscript:", "onnx:")) {
            if (spec.startsWith(prefix)) {
                String where = spec.substring(prefix.length());
                return prefix.equals("lgv:") && io.advkit.model.ModelCollection.isShipped(where) ? spec : prefix + absolute(where);
            }
        }
        return spec.endsWith(".advkit") ? absolute(spec) : spec;
    }

    /** LABEL=FILE or FILE, with the file made absolute. */
    static String absoluteAfterLabel(String value) {
        int eq = value.indexOf('=');
        return value.substring(0, eq + 1) + absolute(value.substring(eq + 1));
    }

    private static String absolute(String file) {
        return io.advkit.util.StoragePaths.parse(file).toAbsolutePath().normalize().toString(); // a URI stays a URI
    }
}

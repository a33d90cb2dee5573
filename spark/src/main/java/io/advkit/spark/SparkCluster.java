package io.advkit.spark;

import io.advkit.dist.Cluster;
import io.advkit.util.Progress;
import io.advkit.util.UserError;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * advkit's jobs on Apache Spark: the shards not yet finished become one Spark task each; the records come back to
 * the driver, which writes the same result file the single-process run writes.
 */
public final class SparkCluster implements Cluster {
    /** The core's jar also lists a no-op logger: executors pick Spark's log4j explicitly, and say nothing about the choice. */
    static final String LOGGING = " -Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider -Dslf4j.internal.verbosity=WARN";

    @Override
    public Result run(Request r) {
        ShardStore store = r.out() == null ? null : new ShardStore(r.out());
        Map<Integer, List<String>> done = new TreeMap<>();
        List<Integer> todo = new ArrayList<>();
        java.util.Set<Integer> resumedBatches = new java.util.TreeSet<>();
        for (int s = 0; s < r.shards(); s++) {
            var records = store == null ? java.util.Optional.<List<String>>empty() : store.records(s);
            if (records.isPresent()) {
                done.put(s, records.get());
                for (int b = s * r.batchesPerShard(); b < Math.min(r.batches(), (s + 1) * r.batchesPerShard()); b++) {
                    resumedBatches.add(b);
                }
            } else {
                todo.add(s);
            }
        }
        if (!todo.isEmpty()) {
            List<List<String>> results = runOnSpark(r, todo, done.size());
            for (int i = 0; i < todo.size(); i++) {
                done.put(todo.get(i), results.get(i));
            }
        }
        List<String> records = new ArrayList<>();
        done.values().forEach(records::addAll);
        return new Result(records, resumedBatches);
    }

    private static List<List<String>> runOnSpark(Request r, List<Integer> todo, int alreadyDone) {
        SparkConf conf = configuration(r);
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (Exception e) { // a bad master URL is a SparkException, checked in Java and thrown undeclared
            throw new UserError("cannot start Spark on " + r.master() + " (" + String.valueOf(e.getMessage()).lines().findFirst().orElse("") + ")");
        }
        try (Progress bar = Progress.items(r.args().get(0) + " on " + r.master(), r.shards(), "shard", r.quiet(), alreadyDone)) {
            sc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    if (end.taskInfo().successful()) {
                        bar.step(1);
                    }
                }
            });
            return sc.parallelize(todo, todo.size()).map(new ShardTask(r.args(), r.out(), r.batches(), r.batchesPerShard())).collect();
        } catch (Exception e) { // Spark's SparkException is checked in Java, thrown undeclared by Scala
            throw e instanceof UserError u ? u : failed(e);
        } finally {
            sc.stop();
        }
    }

    /**
     * A failed job as one line: an executor's advkit error (say, the data missing on that node) as it was worded
     * there; otherwise Spark's first line. Finished shards stay recorded, so the same command resumes.
     */
    static UserError failed(Exception e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = Pattern.compile(Pattern.quote(UserError.class.getName()) + ": ([^\\n]*)").matcher(message);
        if (m.find()) {
            return new UserError("on a Spark executor: " + m.group(1));
        }
        return new UserError("the Spark job failed (" + message.lines().findFirst().orElse("") + "); finished shards are kept: rerun to resume");
    }

    /**
     * The Spark settings: the user's (--spark-conf) first, then defaults that suit advkit — one task slot per
     * executor (see {@link ShardTask}), the engine's threads matching the executor's cores, executors finding advkit
     * where the driver found it (a shared install; otherwise set spark.jars), the driver's allocator setting (bin/advkit
     * sets it), no web UI, the loopback address when the cluster is on this machine, and for YARN the jars to run from.
     */
    static SparkConf configuration(Request r) {
        SparkConf conf = new SparkConf().setMaster(r.master()).setAppName("advkit " + String.join(" ", r.args().subList(0, 1)));
        r.conf().forEach(conf::set);
        conf.setIfMissing("spark.executor.cores", "1");
        conf.setIfMissing("spark.task.cpus", "1");
        conf.setIfMissing("spark.executor.extraJavaOptions", "-Dai.djl.pytorch.num_threads=" + conf.get("spark.executor.cores")
                + " -Dai.djl.pytorch.num_interop_threads=1" + LOGGING);
        conf.setIfMissing("spark.executor.extraClassPath", System.getProperty("java.class.path"));
        // bin/advkit's allocator and engine-thread settings, and any the user gave it, reach the executors' engines too
        for (String variable : List.of("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "THP_MEM_ALLOC_ENABLE", "GOMP_SPINCOUNT", "OMP_WAIT_POLICY",
                "ONEDNN_MAX_CPU_ISA")) {
            if (System.getenv(variable) != null) {
                conf.setIfMissing("spark.executorEnv." + variable, System.getenv(variable));
            }
        }
        conf.setIfMissing("spark.ui.enabled", "false");
        if (r.master().equals("yarn")) {
            yarnDefaults(conf);
        }
        if (r.master().startsWith("local") || r.master().contains("://127.0.0.1") || r.master().contains("://localhost")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1");
            conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        return conf;
    }

    /**
     * YARN without a Spark distribution: the application master and executors run from the jars advkit runs from
     * (spark.yarn.jars as local: files, found at the same paths on every node, as spark.executor.extraClassPath
     * assumes), with this JVM's Java unless the node sets JAVA_HOME. The cluster's addresses come from yarn-site.xml
     * in $HADOOP_CONF_DIR or $YARN_CONF_DIR (bin/advkit puts them on the class path, as spark-submit does).
     */
    static void yarnDefaults(SparkConf conf) {
        if (!conf.contains("spark.yarn.jars") && !conf.contains("spark.yarn.archive")) {
            List<String> jars = new ArrayList<>();
            for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                if (e.endsWith(".jar")) {
                    jars.add("local:" + Path.of(e).toAbsolutePath().normalize());
                }
            }
            conf.set("spark.yarn.jars", String.join(",", jars));
        }
        String javaHome = System.getenv("JAVA_HOME") != null ? System.getenv("JAVA_HOME") : System.getProperty("java.home");
        conf.setIfMissing("spark.yarn.appMasterEnv.JAVA_HOME", javaHome);
        conf.setIfMissing("spark.executorEnv.JAVA_HOME", javaHome);
    }

    @Override
    public void forgetShards(Path out) {
        new ShardStore(out).forget();
    }
}

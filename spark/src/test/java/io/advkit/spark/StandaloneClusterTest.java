package io.advkit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import io.advkit.cli.Main;
import io.advkit.util.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The homework attack on a real standalone cluster (a Master and two one-core Workers, separate JVMs on 127.0.0.1)
 * against the same attack in one process: byte-identical PNGs and equal records, also when an executor JVM is
 * killed in the middle of the job.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
    static final int IMAGES = 100;

    @TempDir
    static Path tmp;

    static StandaloneCluster cluster;
    static Path single;

    @BeforeAll
    static void start() throws Exception {
        single = tmp.resolve("single");
        assertThat(Main.run(SharedData.attack(single, IMAGES))).isZero();
        cluster = StandaloneCluster.start(tmp.resolve("cluster"), 2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Executors log at INFO (which task they ran) into their folders under each Worker's work dir. */
    static String[] onCluster(Path out) throws IOException {
        Path log4j = tmp.resolve("log4j2-executors.properties");
        Files.writeString(log4j, "rootLogger.level = info\nrootLogger.appenderRef.e.ref = err\nappender.err.type = Console\n"
                + "appender.err.name = err\nappender.err.target = SYSTEM_ERR\nappender.err.layout.type = PatternLayout\n"
                + "appender.err.layout.pattern = %p %c{1}: %m%n\n");
        return SharedData.attack(out, IMAGES, "--spark", cluster.master, "--shard-size", "10",
                "--spark-conf", "spark.executor.extraJavaOptions=-Dai.djl.pytorch.num_threads=1 -Dlog4j2.configurationFile=" + log4j
                        + " -Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider");
    }

    @Test
    void twoExecutorsWriteWhatOneProcessWrites() throws Exception {
        Path out = tmp.resolve("spark");
        assertThat(Main.run(onCluster(out))).isZero();
        assertSameOutput(out);
        // both executors ran shards
        for (String worker : List.of("work0", "work1")) {
            assertThat(executorLogs(tmp.resolve("cluster").resolve(worker))).contains("Running task");
        }
    }

    @Test
    void anExecutorKilledMidJobChangesNothing() throws Exception {
        Path out = tmp.resolve("spark-killed");
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> {
            try {
                return Main.run(onCluster(out));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Path records = out.resolve(ShardStore.FOLDER);
        while (!job.isDone() && countFiles(records) == 0) {
            Thread.sleep(50);
        }
        assertThat(job.isDone()).as("the job was still running when an executor was killed").isFalse();
        List<ProcessHandle> executors = cluster.executors();
        assertThat(executors).isNotEmpty();
        executors.get(0).destroyForcibly();
        assertThat(job.get(4, TimeUnit.MINUTES)).isZero();
        assertSameOutput(out);
        assertThat(Files.exists(records)).as("shard records removed once attack.json holds them").isFalse();
    }

    static void assertSameOutput(Path out) throws IOException {
        Map<String, byte[]> want = SharedData.pngs(single);
        Map<String, byte[]> have = SharedData.pngs(out);
        assertThat(have.keySet()).isEqualTo(want.keySet()).hasSize(IMAGES);
        want.forEach((name, bytes) -> assertThat(have.get(name)).as(name).isEqualTo(bytes));
        JsonElement a = Json.read(single.resolve("attack.json"));
        JsonElement b = Json.read(out.resolve("attack.json"));
        assertThat(b.getAsJsonObject().get("images")).isEqualTo(a.getAsJsonObject().get("images"));
        assertThat(b.getAsJsonObject().get("summary")).isEqualTo(a.getAsJsonObject().get("summary"));
        assertThat(b.getAsJsonObject().get("config")).isEqualTo(a.getAsJsonObject().get("config"));
        var names = new HashSet<String>();
        b.getAsJsonObject().get("images").getAsJsonArray().forEach(r -> names.add(r.getAsJsonObject().get("name").getAsString()));
        assertThat(names).as("no image recorded twice").hasSize(IMAGES);
    }

    static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".jsonl")).count();
        }
    }

    static String executorLogs(Path work) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(work)) {
            for (Path f : s.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                sb.append(Files.readString(f));
            }
        }
        return sb.toString();
    }
}

package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.advkit.util.Json;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The memory benchmark's record: RSS and the committed Java heap sampled at the same instants, and whether the
 * heap was pinned (without that, RSS growth is not native growth). The figures themselves are in BENCHMARKS.md.
 */
class BenchMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void recordsResidentMemoryBesideTheJavaHeap() {
        Path json = tmp.resolve("bench.json");
        Object[] r = CliErrorsTest.run("bench", "-q", "--model", "resnet20_cifar10", "--batch-size", "2", "--seconds", "1",
                "--rounds", "1", "--memory-steps", "30", "--json", json.toString());
        assertThat((int) r[0]).as((String) r[2]).isZero();
        // surefire does not pre-touch the test JVM's heap: the report must say RSS growth includes it
        assertThat((String) r[1]).contains("memory over 30 PGD steps").contains("RSS growth includes heap pages first used during the run");
        JsonObject m = Json.read(json).getAsJsonObject().getAsJsonObject("memory");
        assertThat(m.get("steps").getAsInt()).isEqualTo(30);
        assertThat(m.get("java_heap_pinned").getAsBoolean()).isFalse();
        int samples = m.getAsJsonArray("rss_kib_samples_every_500ms").size();
        assertThat(samples).isPositive();
        assertThat(m.getAsJsonArray("java_heap_committed_kib_samples").size()).isEqualTo(samples);
        assertThat(m.get("rss_after_warmup_kib").getAsLong()).isPositive();
        assertThat(m.get("rss_peak_kib").getAsLong()).isGreaterThanOrEqualTo(m.get("rss_end_kib").getAsLong());
    }
}

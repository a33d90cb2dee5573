package io.advkit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.advkit.cli.Main;
import io.advkit.util.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code --spark local[2]} gives what the single-process run gives, command by command, and resumes by shards. */
class LocalModeTest {
    static final int IMAGES = 40;
    static final String LOCAL = "local[2]";

    @TempDir
    static Path tmp;

    static Path single;

    @BeforeAll
    static void singleProcess() {
        single = tmp.resolve("single");
        assertThat(Main.run(SharedData.attack(single, IMAGES))).isZero();
    }

    @Test
    void attack() throws IOException {
        Path out = tmp.resolve("attack");
        assertThat(Main.run(SharedData.attack(out, IMAGES, "--spark", LOCAL, "--shard-size", "10"))).isZero();
        assertSame(out, single);
        assertThat(Files.exists(out.resolve(ShardStore.FOLDER))).isFalse();
        JsonObject m = Json.read(out.resolve("attack.json")).getAsJsonObject();
        assertThat(m.get("resumed_images").getAsInt()).isZero();
        // run again: a finished job has nothing to do, and leaves its folder as it was
        List<String> before;
        try (var s = Files.list(out)) {
            before = s.map(f -> f.getFileName().toString()).sorted().toList();
        }
        assertThat(Main.run(SharedData.attack(out, IMAGES, "--spark", LOCAL, "--shard-size", "10"))).isZero();
        try (var s = Files.list(out)) {
            assertThat(s.map(f -> f.getFileName().toString()).sorted().toList()).isEqualTo(before);
        }
        assertSame(out, single);
    }

    @Test
    void aDriverKilledMidJobResumesFromItsShards() throws Exception {
        Path out = tmp.resolve("resumed");
        String[] args = SharedData.attack(out, IMAGES, "--spark", LOCAL, "--shard-size", "10");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-cp", System.getProperty("java.class.path"), "io.advkit.cli.Main"));
        cmd.addAll(List.of(args));
        Process driver = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("driver.log").toFile()).start();
        Path records = out.resolve(ShardStore.FOLDER);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (driver.isAlive() && StandaloneClusterTest.countFiles(records) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(driver.isAlive()).as("the driver was still running when killed: " + Files.readString(tmp.resolve("driver.log"))).isTrue();
        driver.descendants().forEach(ProcessHandle::destroyForcibly);
        driver.destroyForcibly();
        driver.waitFor();
        assertThat(Files.exists(out.resolve("attack.json"))).isFalse();
        long finished = StandaloneClusterTest.countFiles(records);

        assertThat(Main.run(args)).isZero();
        assertSame(out, single);
        int resumed = Json.read(out.resolve("attack.json")).getAsJsonObject().get("resumed_images").getAsInt();
        assertThat(resumed).as("the shards finished before the kill were not redone").isEqualTo(10 * (int) finished).isPositive();
    }

    @Test
    void eval() {
        Path adv = single; // the adversarial images: a mix of right and wrong predictions
        Path want = tmp.resolve("eval-single.json");
        Path have = tmp.resolve("eval-spark.json");
        String[] args = {"eval", "--data", adv.toString(), "--weights-dir", SharedData.require("weights/cifar100").toString(),
            "-m", "cifar100_resnet20", "-m", "cifar100_resnet56", "--batch-size", "10", "--threads", "1", "-q", "--json"};
        assertThat(Main.run(concat(args, want.toString()))).isZero();
        assertThat(Main.run(concat(args, have.toString(), "--spark", LOCAL, "--shard-size", "10"))).isZero();
        assertThat(models(have)).isEqualTo(models(want));
    }

    @Test
    void transfer() {
        String[] args = {"transfer", "--clean", SharedData.require("data/cifar-100_eval").toString(), "--adv", "pgd=" + single,
            "--weights-dir", SharedData.require("weights/cifar100").toString(), "-v", "cifar100_resnet20", "-v", "cifar100_resnet56",
            "--limit", String.valueOf(IMAGES), "--batch-size", "10", "--threads", "1", "-q", "--out"};
        Path want = tmp.resolve("transfer-single");
        Path have = tmp.resolve("transfer-spark");
        assertThat(Main.run(concat(args, want.toString()))).isZero();
        assertThat(Main.run(concat(args, have.toString(), "--spark", LOCAL, "--shard-size", "10"))).isZero();
        JsonElement rows = Json.read(want.resolve("transfer.json")).getAsJsonObject().get("rows");
        assertThat(Json.read(have.resolve("transfer.json")).getAsJsonObject().get("rows")).isEqualTo(rows);
        assertThat(rows.toString()).contains("\"pgd\"");
    }

    @Test
    void audit() {
        String[] args = {"audit", "--data", SharedData.require("data/cifar-100_eval").toString(), "--weights-dir",
            SharedData.require("weights/cifar100").toString(), "-m", "cifar100_resnet20", "--defense", "jpeg:75", "--limit", "20",
            "--pgd-steps", "2", "--apgd-iters", "2", "--eot", "1", "--sweep", "4,8", "--random-draws", "2", "--square-queries", "20",
            "--batch-size", "10", "--threads", "1", "-q", "--out"};
        Path want = tmp.resolve("audit-single");
        Path have = tmp.resolve("audit-spark");
        assertThat(Main.run(concat(args, want.toString()))).isZero();
        assertThat(Main.run(concat(args, have.toString(), "--spark", LOCAL, "--shard-size", "10"))).isZero();
        JsonObject a = Json.read(want.resolve("audit.json")).getAsJsonObject();
        JsonObject b = Json.read(have.resolve("audit.json")).getAsJsonObject();
        for (String key : List.of("attacks", "symptoms", "sweep", "clean_accuracy", "worst_case_robust_accuracy", "config")) {
            assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
        }
        assertThat(Files.exists(have.resolve(ShardStore.FOLDER))).isFalse();
    }

    @Test
    void evaluate() throws IOException {
        String[] args = {"evaluate", "--data", SharedData.require("data/cifar-100_eval").toString(), "--weights-dir",
            SharedData.require("weights/cifar100").toString(), "-m", "cifar100_resnet20", "--attacks", "fgsm,apgd-ce", "--eps", "1",
            "--limit", "20", "--batch-size", "10", "--threads", "1", "-q", "--out"};
        Path want = tmp.resolve("evaluate-single");
        Path have = tmp.resolve("evaluate-spark");
        assertThat(Main.run(concat(args, want.toString()))).isZero();
        assertThat(Main.run(concat(args, have.toString(), "--spark", LOCAL, "--shard-size", "10"))).isZero();
        JsonObject a = Json.read(want.resolve("evaluate.json")).getAsJsonObject();
        JsonObject b = Json.read(have.resolve("evaluate.json")).getAsJsonObject();
        for (String key : List.of("config", "clean_accuracy", "robust_accuracy", "checks", "images")) {
            assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
        }
        // the stages' counts (their seconds are timings)
        for (int s = 0; s < a.getAsJsonArray("stages").size(); s++) {
            JsonObject x = a.getAsJsonArray("stages").get(s).getAsJsonObject();
            JsonObject y = b.getAsJsonArray("stages").get(s).getAsJsonObject();
            x.remove("seconds");
            y.remove("seconds");
            assertThat(y).isEqualTo(x);
        }
        Map<String, byte[]> pngs = SharedData.pngs(want);
        Map<String, byte[]> written = SharedData.pngs(have);
        assertThat(written.keySet()).isEqualTo(pngs.keySet()).hasSize(20);
        pngs.forEach((name, bytes) -> assertThat(written.get(name)).as(name).isEqualTo(bytes));
    }

    @Test
    void aBadMasterIsOneLineAndNoResult() {
        Path out = tmp.resolve("bad-master");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run(SharedData.attack(out, 10, "--spark", "nonsense://x"));
        } finally {
            System.setErr(old);
        }
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(code).as(text).isEqualTo(2);
        assertThat(text).contains("advkit: error: cannot start Spark on nonsense://x").doesNotContain("\tat ");
        assertThat(Files.exists(out.resolve("attack.json"))).isFalse();
    }

    static JsonElement models(Path evalJson) {
        return Json.read(evalJson).getAsJsonObject().get("models");
    }

    static String[] concat(String[] a, String... b) {
        List<String> l = new ArrayList<>(List.of(a));
        l.addAll(List.of(b));
        return l.toArray(String[]::new);
    }

    static void assertSame(Path out, Path reference) throws IOException {
        Map<String, byte[]> want = SharedData.pngs(reference);
        Map<String, byte[]> have = SharedData.pngs(out);
        assertThat(have.keySet()).isEqualTo(want.keySet());
        want.forEach((name, bytes) -> assertThat(have.get(name)).as(name).isEqualTo(bytes));
        JsonObject a = Json.read(reference.resolve("attack.json")).getAsJsonObject();
        JsonObject b = Json.read(out.resolve("attack.json")).getAsJsonObject();
        for (String key : List.of("images", "summary", "config")) {
            assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
        }
    }
}

package io.advkit.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.advkit.cli.Main;
import io.advkit.util.AtomicFiles;
import io.advkit.util.Json;
import io.advkit.util.StoragePaths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * hdfs:// paths on a real HDFS — a namenode and a datanode of Hadoop's own minicluster, on 127.0.0.1 in this JVM:
 * the file semantics advkit relies on, and a Spark attack that reads its images from HDFS and writes its PNGs and
 * attack.json there, byte for byte what the single-process run writes locally.
 */
class HadoopStorageTest {
    @TempDir
    static Path tmp;

    static MiniDFSCluster dfs;
    static String base;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();
        base = "hdfs://127.0.0.1:" + dfs.getNameNodePort();
    }

    @AfterAll
    static void stopHdfs() {
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    @Test
    void filesBehaveAsAdvkitNeeds() throws IOException {
        Path root = StoragePaths.parse(base + "/semantics");
        assertThat(root.toString()).isEqualTo(base + "/semantics");
        assertThat(StoragePaths.parse(root.toString())).isEqualTo(root); // a command line rebuilt from it names the same place
        Path dir = root.resolve("a/b");
        Files.createDirectories(dir);
        assertThat(Files.isDirectory(dir)).isTrue();
        Path f = dir.resolve("x.bin");
        Files.write(f, new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(f)).containsExactly(1, 2, 3);
        assertThat(Files.size(f)).isEqualTo(3);
        assertThat(Files.isRegularFile(f)).isTrue();
        assertThatThrownBy(() -> Files.write(f, new byte[] {9}, StandardOpenOption.CREATE_NEW)).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> Files.readAllBytes(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
        assertThat(Files.exists(dir.resolve("missing"))).isFalse();

        // a move over an existing file replaces it (the shards' and AtomicFiles' final step)
        Path g = dir.resolve("y.bin");
        Files.write(g, new byte[] {7});
        Files.move(g, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        assertThat(Files.readAllBytes(f)).containsExactly(7);
        assertThat(Files.exists(g)).isFalse();
        assertThatThrownBy(() -> {
            Files.write(g, new byte[] {8});
            Files.move(g, f);
        }).isInstanceOf(FileAlreadyExistsException.class);

        // appending, as job journals do
        Path journal = dir.resolve("log.jsonl");
        Files.writeString(journal, "a\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.writeString(journal, "b\n", StandardOpenOption.APPEND);
        assertThat(Files.readAllLines(journal)).containsExactly("a", "b");
        Files.delete(journal);

        AtomicFiles.writeString(dir.resolve("r.json"), "{\"ok\":true}");
        assertThat(Files.readString(dir.resolve("r.json"))).isEqualTo("{\"ok\":true}");
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("r.json", "x.bin", "y.bin");
        }
        // a local file copied in, and a relative walk back out
        Path local = Files.writeString(tmp.resolve("local.txt"), "from local");
        Files.copy(local, dir.resolve("local.txt"));
        assertThat(Files.readString(dir.resolve("local.txt"), StandardCharsets.UTF_8)).isEqualTo("from local");
        assertThat(root.relativize(dir.resolve("local.txt")).toString()).isEqualTo("a/b/local.txt");
        assertThat(dir.resolve("../b/./x.bin").normalize()).isEqualTo(f);

        assertThatThrownBy(() -> Files.delete(dir)).isInstanceOf(DirectoryNotEmptyException.class);
        Files.delete(g);
        assertThat(Files.exists(g)).isFalse();
    }

    @Test
    void aSparkAttackReadsAndWritesHdfsAsTheLocalRunDoes() throws IOException {
        Path localData = tmp.resolve("data20");
        Files.createDirectories(localData);
        Path hdfsData = StoragePaths.parse(base + "/data20");
        Files.createDirectories(hdfsData);
        try (Stream<Path> s = Files.list(SharedData.require("data/cifar-100_eval"))) {
            for (Path png : s.sorted().limit(20).toList()) {
                Files.copy(png, localData.resolve(png.getFileName().toString()));
                Files.copy(png, hdfsData.resolve(png.getFileName().toString()));
            }
        }
        Path single = tmp.resolve("single");
        assertThat(Main.run(attack(localData.toString(), single.toString()))).isZero();

        String out = base + "/runs/adv";
        assertThat(Main.run(LocalModeTest.concat(attack(hdfsData.toString(), out), "--spark", LocalModeTest.LOCAL, "--shard-size", "10"))).isZero();
        Path written = StoragePaths.parse(out);
        Map<String, byte[]> want = SharedData.pngs(single);
        Map<String, byte[]> have = new TreeMap<>();
        List<String> others;
        try (Stream<Path> s = Files.list(written)) {
            List<Path> all = s.toList();
            for (Path f : all) {
                if (f.getFileName().toString().endsWith(".png")) {
                    have.put(f.getFileName().toString(), Files.readAllBytes(f));
                }
            }
            others = all.stream().map(f -> f.getFileName().toString()).filter(n -> !n.endsWith(".png")).sorted().toList();
        }
        assertThat(have.keySet()).isEqualTo(want.keySet()).hasSize(20);
        want.forEach((name, bytes) -> assertThat(have.get(name)).as(name).isEqualTo(bytes));
        assertThat(others).as("no temporary files or shard records left").containsExactly("attack.json");
        JsonObject a = Json.read(single.resolve("attack.json")).getAsJsonObject();
        JsonObject b = Json.read(written.resolve("attack.json")).getAsJsonObject();
        for (String key : List.of("images", "summary")) {
            assertThat(b.get(key)).as(key).isEqualTo(a.get(key));
        }
        assertThat(b.getAsJsonObject("config").get("data").getAsString()).isEqualTo(base + "/data20");

        // and in one process (no Spark), the weights on HDFS too: its job journal is appended to there, and the
        // checkpoint (a zip file) is read through a local copy
        Path weights = StoragePaths.parse(base + "/weights");
        Files.createDirectories(weights);
        try (Stream<Path> s = Files.list(SharedData.require("weights/cifar100"))) {
            for (Path w : s.filter(w -> w.getFileName().toString().startsWith("cifar100_resnet20")).toList()) {
                Files.copy(w, weights.resolve(w.getFileName().toString()));
            }
        }
        String one = base + "/runs/one";
        String[] args = attack(hdfsData.toString(), one);
        args[java.util.Arrays.asList(args).indexOf("--weights-dir") + 1] = weights.toString();
        assertThat(Main.run(args)).isZero();
        Path oneOut = StoragePaths.parse(one);
        want.forEach((name, bytes) -> {
            try {
                assertThat(Files.readAllBytes(oneOut.resolve(name))).as(name).isEqualTo(bytes);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static String[] attack(String data, String out) {
        return new String[] {"attack", "--data", data, "--weights-dir", SharedData.require("weights/cifar100").toString(), "-s", "cifar100_resnet20",
            "--attack", "pgd", "--steps", "10", "--batch-size", "10", "--threads", "1", "-q", "--out", out};
    }
}

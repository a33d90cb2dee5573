package io.advkit.spark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The real data beside the repository ({@code ../shared}, seen from this module's folder), and output comparisons. */
final class SharedData {
    private SharedData() {}

    static Path require(String relative) {
        String env = System.getenv("ADVKIT_SHARED");
        Path p = (env != null ? Path.of(env) : Path.of("..", "..", "shared").toAbsolutePath().normalize()).resolve(relative);
        assumeTrue(Files.exists(p), "needs ../shared/" + relative);
        return p;
    }

    /** Every PNG of a folder, name to bytes. */
    static Map<String, byte[]> pngs(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.filter(f -> f.toString().endsWith(".png")).toList()) {
                m.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return m;
    }

    /** The homework attack on the first {@code limit} images, as a command line, with extra arguments. */
    static String[] attack(Path out, int limit, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("attack", "--data", require("data/cifar-100_eval").toString(),
                "--weights-dir", require("weights/cifar100").toString(), "-s", "cifar100_resnet20", "--attack", "pgd", "--steps", "10",
                "--limit", String.valueOf(limit), "--batch-size", "10", "--threads", "1", "-q", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }
}

package io.advkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real data and weights beside the project ({@code ../shared}); tests that need them skip without them. */
public final class Shared {
    private Shared() {}

    public static Path root() {
        String env = System.getenv("ADVKIT_SHARED");
        return env != null ? Path.of(env) : Path.of("..", "shared").toAbsolutePath().normalize();
    }

    /** A path under ../shared; the calling test is skipped when it is absent. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), "needs ../shared/" + relative);
        return p;
    }
}

package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Help and listings never start the engine (loading libtorch is what makes a JVM tool slow to answer), checked in
 * a fresh JVM by the classes it loads. The time itself is measured in docs/BENCHMARKS.md, not here.
 */
class HelpTest {
    private static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void helpAndListsDoNotStartTheEngine() throws IOException, InterruptedException {
        for (String[] args : new String[][] {{"--help"}, {"attack", "--help"}, {"train", "--help"}, {"list"}}) {
            String out = run(args);
            assertThat(out).as(String.join(" ", args)).contains(args[0].equals("list") ? "attacks" : "Usage: advkit")
                    .doesNotContain("ai.djl.pytorch.engine.PtEngine ").doesNotContain("ai.djl.engine.Engine ");
        }
    }

    /** Every command answers --help with its usage (evaluate once lost it: its --version option displaced picocli's). */
    @Test
    void everyCommandHasHelp() {
        for (String name : Main.commandLine().getSubcommands().keySet()) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.out;
            System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.run(name, "--help");
            } finally {
                System.setOut(old);
            }
            assertThat(code).as(name).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(name).startsWith("Usage: advkit " + name);
        }
    }
}

package io.advkit.util;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What produced a result: versions, machine and time, recorded in every JSON file advkit writes. The CPU is named
 * because the engine's arithmetic has been seen to depend on it (docs/BENCHMARKS.md, "Wrong convolutions"), and
 * {@code isa} is the cap a user put on it ({@code ONEDNN_MAX_CPU_ISA}), if any.
 */
public record RunInfo(String advkit, String engine, String djl, String java, String os, String cpu, String isa, int cores, int threads,
                      String time) {
    public static String advkitVersion() {
        String v = RunInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This process, now (starts the engine). */
    public static RunInfo now() {
        return new RunInfo(advkitVersion(), Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                Engine.getDjlVersion(), System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                cpuName(), System.getenv("ONEDNN_MAX_CPU_ISA"), Runtime.getRuntime().availableProcessors(), ai.djl.pytorch.jni.JniUtils.getNumThreads(),
                Instant.now().toString());
    }

    private static volatile String cpuName;

    /** The CPU's model name and family from /proc/cpuinfo (Linux), else the architecture. */
    static String cpuName() {
        String c = cpuName;
        if (c == null) {
            c = System.getProperty("os.arch");
            try {
                String name = null;
                String family = null;
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    int colon = line.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String key = line.substring(0, colon).strip();
                    if (name == null && key.equals("model name")) {
                        name = line.substring(colon + 1).strip();
                    } else if (family == null && key.equals("cpu family")) {
                        family = line.substring(colon + 1).strip();
                    }
                }
                if (name != null) {
                    c = name + (family == null ? "" : ", family " + family);
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable: the architecture says what we know
            }
            cpuName = c;
        }
        return c;
    }
}

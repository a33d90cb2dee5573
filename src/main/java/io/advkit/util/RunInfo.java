package io.advkit.util;

import ai.djl.engine.Engine;

import java.time.Instant;

/** What produced a result: versions, machine and time, recorded in every JSON file advkit writes. */
public record RunInfo(String advkit, String engine, String djl, String java, String os, int cores, int threads, String time) {
    public static String advkitVersion() {
        String v = RunInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** This process, now (starts the engine). */
    public static RunInfo now() {
        return new RunInfo(advkitVersion(), Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion(),
                Engine.getDjlVersion(), System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), ai.djl.pytorch.jni.JniUtils.getNumThreads(), Instant.now().toString());
    }
}

package io.advkit.util;

import ai.djl.engine.Engine;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What produced a result: versions, machine and time, recorded in every JSON file advkit writes. */
public final class RunInfo {
    private RunInfo() {}

    public static String advkitVersion() {
        String v = RunInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("advkit", advkitVersion());
        m.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        m.put("djl", Engine.getDjlVersion());
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        m.put("time", Instant.now().toString());
        return m;
    }
}

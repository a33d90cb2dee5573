package io.advkit.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Spark standalone cluster on 127.0.0.1, started from the jars on this JVM's class path: one Master and some
 * Workers, each its own JVM; the Workers start executor JVMs for each application. Stopped (every process and its
 * children) by {@link #close}.
 */
final class StandaloneCluster implements AutoCloseable {
    final String master;
    final List<Process> workers = new ArrayList<>();
    private final List<Process> all = new ArrayList<>();
    private final Path dir;

    private StandaloneCluster(String master, Path dir) {
        this.master = master;
        this.dir = dir;
    }

    /** Starts a Master and {@code workers} Workers of one core each, and waits until all have registered. */
    static StandaloneCluster start(Path dir, int workers) throws IOException, InterruptedException {
        int port = freePort();
        StandaloneCluster c = new StandaloneCluster("spark://127.0.0.1:" + port, dir);
        // a Worker builds its executors' class path from SPARK_HOME/jars (here empty: the driver hands its own class path)
        Files.createDirectories(dir.resolve("spark-home/jars"));
        Path log4j = dir.resolve("log4j2-daemons.properties");
        Files.writeString(log4j, "rootLogger.level = info\nrootLogger.appenderRef.f.ref = out\nappender.out.type = Console\n"
                + "appender.out.name = out\nappender.out.layout.type = PatternLayout\nappender.out.layout.pattern = %p %c{1}: %m%n\n");
        c.all.add(c.daemon("master", log4j, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--webui-port", String.valueOf(freePort())));
        for (int i = 0; i < workers; i++) {
            Process w = c.daemon("worker" + i, log4j, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                    "--memory", "3g", "--webui-port", String.valueOf(freePort()), "--work-dir", dir.resolve("work" + i).toString(), c.master);
            c.workers.add(w);
            c.all.add(w);
        }
        for (int i = 0; i < workers; i++) {
            c.await("worker" + i, "Successfully registered with master", Duration.ofSeconds(120));
        }
        return c;
    }

    private Process daemon(String name, Path log4j, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4j, "-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider",
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** Waits for a line in a daemon's log; fails with the log's tail. */
    void await(String name, String text, Duration limit) throws IOException, InterruptedException {
        Path log = dir.resolve(name + ".log");
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        String tail = Files.exists(log) ? Files.readString(log) : "(no log)";
        throw new IllegalStateException(name + " did not log '" + text + "' within " + limit + ":\n"
                + tail.substring(Math.max(0, tail.length() - 4000)));
    }

    /** The executor JVMs the Workers run now. */
    List<ProcessHandle> executors() {
        return workers.stream().flatMap(Process::descendants).filter(p -> commandLine(p).contains("CoarseGrainedExecutorBackend")).toList();
    }

    /** From /proc: ProcessHandle.Info leaves out command lines as long as an executor's (its class path). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline")), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // ended meanwhile
        }
    }

    String log(String name) throws IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

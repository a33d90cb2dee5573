package io.advkit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.cli.Main;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code --spark yarn} on a real YARN: Hadoop's minicluster runs a ResourceManager and a NodeManager on 127.0.0.1,
 * the NodeManager starts Spark's application master and two executors as containers (separate JVMs, from the jars
 * advkit runs from, without a Spark distribution), and the attack's PNGs and records equal the single-process run's.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class YarnClusterTest {
    static final int IMAGES = 20;

    @TempDir
    static Path tmp;

    static MiniYARNCluster yarn;

    @BeforeAll
    static void startYarn() {
        YarnConfiguration conf = new YarnConfiguration();
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false); // libtorch's memory is native, outside the JVM's
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        conf.setInt(YarnConfiguration.NM_PMEM_MB, 8192);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        conf.set(YarnConfiguration.RM_HOSTNAME, "127.0.0.1");
        // one queue, first come first served (the capacity scheduler wants a capacity-scheduler.xml)
        conf.set(YarnConfiguration.RM_SCHEDULER, "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
        yarn = new MiniYARNCluster("advkit-yarn", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
    }

    @AfterAll
    static void stopYarn() {
        if (yarn != null) {
            yarn.stop();
        }
    }

    @Test
    void twoYarnExecutorsWriteWhatOneProcessWrites() throws Exception {
        Path single = tmp.resolve("single");
        assertThat(Main.run(SharedData.attack(single, IMAGES))).isZero();
        Configuration c = yarn.getConfig();
        Path out = tmp.resolve("yarn");
        String[] args = SharedData.attack(out, IMAGES, "--spark", "yarn", "--shard-size", "10",
                "--spark-conf", "spark.hadoop.yarn.resourcemanager.address=" + c.get(YarnConfiguration.RM_ADDRESS),
                "--spark-conf", "spark.hadoop.yarn.resourcemanager.scheduler.address=" + c.get(YarnConfiguration.RM_SCHEDULER_ADDRESS),
                "--spark-conf", "spark.hadoop.fs.defaultFS=file:///",
                "--spark-conf", "spark.executor.instances=2",
                "--spark-conf", "spark.executor.memory=1g",
                "--spark-conf", "spark.yarn.am.memory=512m",
                "--spark-conf", "spark.driver.host=127.0.0.1",
                "--spark-conf", "spark.driver.bindAddress=127.0.0.1");
        assertThat(Main.run(args)).isZero();
        LocalModeTest.assertSame(out, single);
        // in YARN's client mode the driver runs no task: the shards ran in the NodeManager's containers, the
        // application master's and the two executors'
        Path logs = Path.of(yarn.getNodeManager(0).getConfig().get(YarnConfiguration.NM_LOG_DIRS).split(",")[0]);
        try (Stream<Path> s = Files.walk(logs, 2)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith("container_")).count()).isEqualTo(3);
        }
    }
}

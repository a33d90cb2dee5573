package io.advkit.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.dist.Cluster;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class SparkClusterTest {
    @Test
    void anExecutorsAdvkitErrorComesBackAsItsOneLine() {
        SparkException e = new SparkException("Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times, most recent failure: "
                + "Lost task 0.3 in stage 0.0 (TID 3) (127.0.0.1 executor 1): io.advkit.util.UserError: /data/x: no images found\n"
                + "\tat io.advkit.data.Datasets.open(Datasets.java:42)\n");
        assertThat(SparkCluster.failed(e).getMessage()).isEqualTo("on a Spark executor: /data/x: no images found");
        assertThat(SparkCluster.failed(new SparkException("Master removed our application: FAILED\nmore")).getMessage())
                .isEqualTo("the Spark job failed (Master removed our application: FAILED); finished shards are kept: rerun to resume");
    }

    @Test
    void defaultsGiveOneTaskPerExecutorAndTheUsersSettingsWin() {
        Cluster.Request r = new Cluster.Request("spark://127.0.0.1:7077", Map.of("spark.executor.memory", "4g", "spark.executor.cores", "2"),
                List.of("attack"), Path.of("/tmp/o"), 10, 2, true);
        SparkConf c = SparkCluster.configuration(r);
        assertThat(c.get("spark.executor.memory")).isEqualTo("4g");
        assertThat(c.get("spark.task.cpus")).isEqualTo("1");
        assertThat(c.get("spark.executor.extraJavaOptions")).contains("-Dai.djl.pytorch.num_threads=2");
        assertThat(c.get("spark.driver.host")).isEqualTo("127.0.0.1");
        assertThat(r.shards()).isEqualTo(5);
        SparkConf remote = SparkCluster.configuration(new Cluster.Request("spark://10.0.0.5:7077", Map.of(), List.of("eval"), null, 3, 2, true));
        assertThat(remote.get("spark.executor.cores")).isEqualTo("1");
        assertThat(remote.contains("spark.driver.host")).isFalse();
    }

    @Test
    void yarnRunsFromAdvkitsOwnJarsWithoutASparkDistribution() {
        SparkConf c = SparkCluster.configuration(new Cluster.Request("yarn", Map.of(), List.of("attack"), Path.of("/tmp/o"), 4, 1, true));
        List<String> jars = List.of(c.get("spark.yarn.jars").split(","));
        assertThat(jars).isNotEmpty().allMatch(j -> j.startsWith("local:/") && j.endsWith(".jar"));
        assertThat(jars).anyMatch(j -> j.contains("spark-yarn_2.13"));
        assertThat(c.get("spark.executorEnv.JAVA_HOME")).isNotBlank();
        SparkConf own = SparkCluster.configuration(new Cluster.Request("yarn", Map.of("spark.yarn.archive", "hdfs:///spark.zip"),
                List.of("attack"), Path.of("/tmp/o"), 4, 1, true));
        assertThat(own.contains("spark.yarn.jars")).as("the user's archive wins").isFalse();
    }
}

package io.advkit.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Stderr;
import io.advkit.cli.Main;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/** Command-line paths: local names and file: URIs here; other schemes only with a provider (advkit-spark's Hadoop). */
class StoragePathsTest {
    @Test
    void localNamesAndFileUrisAreLocalPaths() {
        assertThat(StoragePaths.parse("runs/a")).isEqualTo(Path.of("runs/a"));
        assertThat(StoragePaths.parse("file:///tmp/x")).isEqualTo(Path.of("/tmp/x"));
        assertThat(StoragePaths.parse("C:odd:name")).isEqualTo(Path.of("C:odd:name")); // a colon alone does not make a URI
    }

    @Test
    void aSchemeWithoutAProviderIsOneClearError() {
        assertThatThrownBy(() -> StoragePaths.parse("hdfs://127.0.0.1:9/data")).isInstanceOf(UserError.class)
                .hasMessageContaining("no file system for hdfs://").hasMessageContaining("advkit-spark");
        assertThatThrownBy(() -> StoragePaths.parse("hdfs://bad host/data")).isInstanceOf(UserError.class).hasMessageContaining("not a valid URI");
    }

    @Test
    void theCommandLineSaysWhichOption() {
        var run = Stderr.of(() -> Main.run("eval", "--data", "hdfs://127.0.0.1:9/data", "-m", "resnet20_cifar10"));
        int code = run.value();
        String text = run.text();
        assertThat(code).isEqualTo(2);
        assertThat(text.strip().lines().count()).as(text).isEqualTo(1);
        assertThat(text).contains("'--data'").contains("no file system for hdfs://");
    }
}

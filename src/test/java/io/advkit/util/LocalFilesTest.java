package io.advkit.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Files on another file system (here the JDK's zip file system standing in for HDFS) get one local copy per version. */
class LocalFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aForeignFileIsCopiedOnceUnderItsOwnName() throws IOException {
        Path local = tmp.resolve("plain.bin");
        Files.write(local, new byte[] {1, 2});
        assertThat(LocalFiles.local(local)).isSameAs(local);

        try (FileSystem zip = FileSystems.newFileSystem(tmp.resolve("store.zip"), Map.of("create", "true"))) {
            Path foreign = zip.getPath("/weights/model.pth");
            Files.createDirectories(foreign.getParent());
            Files.write(foreign, new byte[] {5, 6, 7});
            Path copy = LocalFiles.local(foreign);
            assertThat(copy.getFileSystem()).isSameAs(FileSystems.getDefault());
            assertThat(copy.getFileName().toString()).isEqualTo("model.pth");
            assertThat(Files.readAllBytes(copy)).containsExactly(5, 6, 7);
            assertThat(LocalFiles.local(foreign)).isEqualTo(copy); // the same version: no second copy
        }
    }
}

package io.advkit.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Real Fashion-MNIST, as Debian's dataset-fashion-mnist installs it (.ci/run installs it; skipped without it). */
class FashionMnistTest {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void debiansIdxFilesReadAsTheKnownSplits() {
        Assumptions.assumeTrue(Files.isDirectory(DIR), "dataset-fashion-mnist is not installed");
        ImageSet train = Datasets.open(DIR, "train", null);
        ImageSet test = Datasets.open(DIR, "test", null);
        assertThat(train.size()).isEqualTo(60_000);
        assertThat(test.size()).isEqualTo(10_000);
        int[] perClass = new int[10];
        for (int i = 0; i < test.size(); i++) {
            perClass[test.label(i)]++;
        }
        assertThat(perClass).containsOnly(1_000); // the published test split: 1,000 of each of the 10 classes
        Image first = test.image(0);
        assertThat(first.channels()).isEqualTo(1);
        assertThat(first.width()).isEqualTo(28);
        assertThat(first.height()).isEqualTo(28);
        assertThat(test.label(0)).isEqualTo(9); // the test set's first image is an ankle boot
    }
}

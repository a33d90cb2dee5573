package io.advkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.util.UserError;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Resize + CenterCrop equal torchvision's on PIL images byte for byte: tools/make_resize_fixtures.py wrote Pillow's
 * outputs for upscaling, antialiased downscaling by non-integer factors, and crops with half-pixel offsets.
 */
class PreprocessedTest {
    static final Path DIR = Path.of("src/test/resources/resize");

    @ParameterizedTest
    @CsvSource({
        "45x31, 64, 56", "45x31, 24, 24", "45x31, 20, ", "45x31, , 28",
        "97x130, 64, 56", "97x130, 24, 24", "97x130, 20, ", "97x130, , 28",
        "160x120, 64, 56", "160x120, 24, 24", "160x120, 20, ", "160x120, , 28",
    })
    void equalsPillowByteForByte(String size, Integer resize, Integer crop) {
        Image source = ImageCodec.read(DIR.resolve("source_" + size + ".png"));
        Image expected = ImageCodec.read(DIR.resolve(size + "_resize" + (resize == null ? "None" : resize) + "_crop" + (crop == null ? "None" : crop) + ".png"));
        Image actual = source;
        if (resize != null) {
            actual = Preprocessed.resizeShorterSide(actual, resize);
        }
        if (crop != null) {
            actual = Preprocessed.centerCrop(actual, crop, "test");
        }
        assertThat(actual.width()).isEqualTo(expected.width());
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(actual.linfDistance(expected)).isZero();
    }

    @ParameterizedTest
    @CsvSource({"45x31, 40"})
    void aCropLargerThanTheImageIsOneClearError(String size, int crop) {
        Image source = ImageCodec.read(DIR.resolve("source_" + size + ".png"));
        assertThatThrownBy(() -> Preprocessed.centerCrop(source, crop, "x.png")).isInstanceOf(UserError.class)
                .hasMessageContaining("smaller than the crop 40");
    }
}

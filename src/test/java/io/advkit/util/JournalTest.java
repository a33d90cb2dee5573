package io.advkit.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A killed job resumes with the settings it was started with, whatever they hold. Weights of 1/15 (an ensemble of
 * three members of one family among four of others) once made a study's resume fail with "holds a different
 * attack (model_weights [0.06666667, …] here, [0.06666667, …] there)": the float in memory and the number read
 * back from the journal were compared as different doubles.
 */
public class JournalTest {
    record Config(String attack, float[] modelWeights, double eps) {}

    record Unit(int batch) {}

    @TempDir
    Path dir;

    @Test
    void aJobWithFloatSettingsThatHaveNoShortDecimalResumes() throws Exception {
        Path file = dir.resolve("out/.journal.jsonl");
        Files.createDirectories(file.getParent());
        Config config = new Config("pgd", new float[] {1f / 15, 1f / 15, 0.2f}, 8.0 / 255);
        Journal.open(file, config, Unit.class).append(new Unit(0));

        Journal<Unit> again = Journal.open(file, new Config("pgd", new float[] {1f / 15, 1f / 15, 0.2f}, 8.0 / 255), Unit.class);
        assertThat(again.records()).containsExactly(new Unit(0));
        OutputFolders.requireResumable(dir.resolve("in"), file.getParent(), false, "manifest.json", ".journal.jsonl", config, "attack");
    }

    @Test
    void otherSettingsAreStillRefusedAndNamed() throws Exception {
        Path file = dir.resolve("out/.journal.jsonl");
        Files.createDirectories(file.getParent());
        Journal.open(file, new Config("pgd", new float[] {1f / 15, 0.2f}, 8.0 / 255), Unit.class);
        Config other = new Config("pgd", new float[] {1f / 15, 0.25f}, 8.0 / 255);

        assertThatThrownBy(() -> Journal.open(file, other, Unit.class)).isInstanceOf(UserError.class).hasMessageContaining("model_weights");
        assertThatThrownBy(() -> OutputFolders.requireResumable(dir.resolve("in"), file.getParent(), false, "manifest.json", ".journal.jsonl", other, "attack"))
                .isInstanceOf(UserError.class).hasMessageContaining("holds a different attack");
        assertThat(Files.exists(file)).isTrue();
    }
}

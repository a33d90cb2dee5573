package io.advkit.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.model.Normalization;
import io.advkit.model.ZooModel;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttackJobTest {
    @TempDir
    Path tmp;

    private ImageSet tenImages() throws IOException {
        Path src = Shared.require("data/cifar-10_eval");
        Path dir = Files.createDirectories(tmp.resolve("in"));
        for (int c = 0; c < 5; c++) {
            for (int k = 0; k < 2; k++) {
                Files.copy(src.resolve(c + "_" + k + ".png"), dir.resolve(c + "_" + k + ".png"));
            }
        }
        return ImageFolder.open(dir, List.of());
    }

    private AttackJob.Config config() {
        ThreatModel tm = new ThreatModel(Norm.LINF, 8 / 255.0);
        return new AttackJob.Config(new AttackSpec().build("pgd", tm), tm, Loss.CE, "ce", Target.NONE, 5, 4, Map.of());
    }

    @Test
    void aKilledRunResumesToTheSameFilesAsAnUninterruptedOne() throws IOException {
        ImageSet set = tenImages();
        try (ZooModel model = ZooModel.create("net", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 9)) {
            model.net().setTrainable(false);
            Map<String, Object> cfg = Map.of("test", 1);
            Path whole = tmp.resolve("whole");
            new AttackJob(set, whole, model, List.of(model), config(), true).run(cfg);

            // a run killed after its first batch: its PNGs and journal line exist, the rest does not
            Path killed = tmp.resolve("killed");
            new AttackJob(set, killed, model, List.of(model), config(), true).run(cfg);
            List<String> firstBatch = List.of("0_0.png", "0_1.png", "1_0.png", "1_1.png");
            try (var files = Files.list(killed)) {
                for (Path f : files.toList()) {
                    if (!firstBatch.contains(f.getFileName().toString())) {
                        Files.delete(f);
                    }
                }
            }
            StringBuilder lines = new StringBuilder();
            for (Object r : (List<?>) Json.read(whole.resolve("attack.json")).getAsJsonObject().get("images").getAsJsonArray().asList()
                    .subList(0, 4)) {
                lines.append(r.toString()).append('\n');
            }
            Files.writeString(killed.resolve(".attack-journal.jsonl"), lines + "{\"name\": \"2_0.png\", \"lab"); // torn last line
            Files.write(killed.resolve("2_1.png"), new byte[] {1, 2, 3}); // a corrupt leftover is redone

            Map<String, Object> resumed = new AttackJob(set, killed, model, List.of(model), config(), true).run(cfg);
            assertThat(resumed.get("resumed_images")).isEqualTo(4);
            for (int i = 0; i < set.size(); i++) {
                String name = AttackJob.outputName(set.name(i));
                assertThat(Files.readAllBytes(killed.resolve(name))).as(name).isEqualTo(Files.readAllBytes(whole.resolve(name)));
            }
            assertThat(killed.resolve(".attack-journal.jsonl")).doesNotExist();
        }
    }

    @Test
    void outputsNeverOverwriteInputsOrForeignFolders() throws IOException {
        Path in = Shared.require("data/cifar-10_eval");
        assertThatThrownBy(() -> AttackJob.checkOutput(in, in, true, Map.of())).isInstanceOf(UserError.class).hasMessageContaining("overwrite");
        assertThatThrownBy(() -> AttackJob.checkOutput(in, in.resolve("sub"), false, Map.of())).isInstanceOf(UserError.class);
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> AttackJob.checkOutput(in, foreign, false, Map.of())).isInstanceOf(UserError.class).hasMessageContaining("not empty");
        Path other = Files.createDirectories(tmp.resolve("other"));
        Json.write(other.resolve("attack.json"), Map.of("config", Map.of("attack", "fgsm")));
        assertThatThrownBy(() -> AttackJob.checkOutput(in, other, false, Map.of("attack", "pgd"))).isInstanceOf(UserError.class)
                .hasMessageContaining("different attack");
        AttackJob.checkOutput(in, other, false, Map.of("attack", "fgsm")); // the same attack: resumable
        AttackJob.checkOutput(in, tmp.resolve("new"), false, Map.of());
    }
}

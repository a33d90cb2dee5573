package io.advkit.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;
import io.advkit.attack.Norm;
import io.advkit.attack.ThreatModel;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.DecodedImages;
import io.advkit.data.ImageFolder;
import io.advkit.data.ImageSet;
import io.advkit.model.Normalization;
import io.advkit.util.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped mid-epoch and resumed ends with the weights of an uninterrupted run. */
class TrainerResumeTest {
    @TempDir
    Path tmp;

    private Trainer.Config config() {
        return new Trainer.Config("tiny", "resnet20", 10, 3, Normalization.named("pytorchcv-cifar"), 2, 16, 0.05, "cosine", null, 0.1,
                0.9, true, 5e-4, 0.1, 7, new ThreatModel(Norm.LINF, 8 / 255.0), 32, 32, 2, 8, null);
    }

    /** {@code n} images of cifar-10_eval, every {@code stride}-th (spread over its classes). */
    private static DecodedImages evalImages(int n, int stride) throws java.io.IOException {
        ImageSet folder = ImageFolder.open(Shared.require("data/cifar-10_eval"), List.of());
        int[] pick = new int[n];
        for (int i = 0; i < n; i++) {
            pick[i] = i * stride;
        }
        return DecodedImages.decode(folder, k -> { }).subset(pick);
    }

    @Test
    void stoppedAndResumedEqualsUninterrupted() throws java.io.IOException {
        DecodedImages train = evalImages(64, 15);
        ImageSet val = train.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7});

        Path whole = tmp.resolve("whole");
        new Trainer(config(), new FreeTraining(2), whole, true).run(train, val, false);

        Path stopped = tmp.resolve("stopped");
        Trainer first = new Trainer(config(), new FreeTraining(2), stopped, true);
        first.requestStop(); // stops after its first batch, as SIGINT would
        assertThat(first.run(train, val, false)).isNull();
        assertThat(stopped.resolve("checkpoint.advkit")).exists();
        assertThat(stopped.resolve("final.pth")).doesNotExist();
        Trainer.Summary summary = new Trainer(config(), new FreeTraining(2), stopped, true).run(train, val, true);
        assertThat(summary.epochsRun()).isEqualTo(2);

        StateDict a = StateDict.load(whole.resolve("final.pth"));
        StateDict b = StateDict.load(stopped.resolve("final.pth"));
        assertThat(b.keys()).containsExactlyElementsOf(a.keys());
        for (String k : a.keys()) {
            float[] x = a.get(k).toFloatArray();
            float[] y = b.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).as(k).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1e-4f + Math.abs(x[i]) * 1e-4f));
            }
        }
        // the log is a journal: its header, then one line per epoch, none repeated by the stop and resume
        List<String> log = Files.readAllLines(stopped.resolve("log.jsonl"));
        assertThat(log).hasSize(3);
        assertThat(log.get(0)).startsWith("{\"advkit_journal\"");
        assertThat(log.get(1)).contains("\"epoch\":1,");
        assertThat(log.get(2)).contains("\"epoch\":2,");
        assertThat(Files.readAllLines(whole.resolve("log.jsonl")).get(0)).isEqualTo(log.get(0));
        // the resumed epoch's line covers all its batches, those before the stop included
        Trainer.Summary uninterrupted = Json.GSON.fromJson(Files.readString(whole.resolve("train.json")), Trainer.Summary.class);
        for (int e = 0; e < 2; e++) {
            Trainer.EpochLog w = uninterrupted.history().get(e);
            Trainer.EpochLog r = summary.history().get(e);
            assertThat(r.trainAcc()).as("epoch %d", e + 1).isEqualTo(w.trainAcc());
            assertThat(r.trainLoss()).as("epoch %d", e + 1).isCloseTo(w.trainLoss(), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /**
     * Checkpoints are also written inside epochs when due (here after every batch), so a run killed without a
     * signal loses little; writing them changes nothing in the run.
     */
    @Test
    void checkpointsInsideEpochsWhenDueWithoutChangingTheRun() throws java.io.IOException {
        DecodedImages train = evalImages(48, 20); // 3 batches of 16 per epoch, 2 epochs
        ImageSet val = train.subset(new int[] {0, 1, 2, 3});
        Path quiet = tmp.resolve("at-epoch-ends");
        Trainer ends = new Trainer(config(), new StandardTraining(), quiet, true);
        ends.run(train, val, false);
        assertThat(ends.checkpointsWritten()).isEqualTo(2);

        Path often = tmp.resolve("every-batch");
        Trainer every = new Trainer(config(), new StandardTraining(), often, true);
        every.checkpointEvery(java.time.Duration.ZERO);
        every.run(train, val, false);
        assertThat(every.checkpointsWritten()).isEqualTo(2 * 2 + 2); // after batches 1 and 2 of each epoch, and at each end

        StateDict a = StateDict.load(quiet.resolve("final.pth"));
        StateDict b = StateDict.load(often.resolve("final.pth"));
        for (String k : a.keys()) {
            float[] x = a.get(k).toFloatArray();
            float[] y = b.get(k).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertThat(y[i]).as(k).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1e-4f + Math.abs(x[i]) * 1e-4f));
            }
        }
    }

    /** Multi-step adversarial training logs held-out PGD accuracy each epoch and keeps its best epoch (Rice et al.). */
    @Test
    void multiStepTrainingKeepsTheEpochWithTheBestHeldOutRobustAccuracy() throws java.io.IOException {
        DecodedImages train = evalImages(32, 31);
        ImageSet val = train.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        Path run = tmp.resolve("pgd");
        Trainer.Summary summary = new Trainer(config(), new PgdTraining(new InnerAttack(2, 2 / 255.0)), run, true).run(train, val, false);
        List<Trainer.EpochLog> h = summary.history();
        assertThat(h).hasSize(2);
        int best = 0;
        for (int i = 0; i < h.size(); i++) {
            assertThat(h.get(i).valPgdAcc()).isNotNull().isBetween(0.0, 100.0);
            assertThat(h.get(i).trainSubsetPgdAcc()).isNull(); // the training-subset guard is for single-step methods
            if (h.get(i).valPgdAcc() > h.get(best).valPgdAcc()) {
                best = i;
            }
        }
        String meta = new String(io.advkit.model.AdvkitModelFile.readEntries(run.resolve("best.advkit")).get("model.json"),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(com.google.gson.JsonParser.parseString(meta).getAsJsonObject().get("epoch").getAsInt()).isEqualTo(best + 1);
    }
}

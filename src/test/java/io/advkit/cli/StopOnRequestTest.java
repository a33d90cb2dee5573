package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.advkit.Shared;
import io.advkit.attack.AttackJob;
import io.advkit.util.Interruption;
import io.advkit.util.Json;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop asked for from outside (what the first Ctrl-C or SIGTERM does) ends the work at its next step with one line
 * and the signal's exit code; what was finished is kept, and the same command continues from it.
 */
class StopOnRequestTest {
    @TempDir
    Path tmp;

    @AfterEach
    void clear() {
        Interruption.clear();
    }

    /** stderr without the warnings about the first images' classes. */
    private static java.util.List<String> messages(String stderr) {
        return stderr.lines().filter(l -> !l.startsWith("advkit: warning:")).toList();
    }

    @Test
    void anAttackStoppedAfterItsFirstBatchResumesFromIt() throws Exception {
        Path data = Shared.require("data/cifar-10_eval");
        Path out = tmp.resolve("adv");
        String[] args = {"attack", "-q", "--data", data.toString(), "--limit", "4", "--batch-size", "2", "-s", "resnet20_cifar10_advkit",
                "--attack", "pgd", "--steps", "300", "--eps", "8",
                "--out", out.toString()};
        Path journal = out.resolve(".attack-journal.jsonl");
        Thread stopper = new Thread(() -> { // asks for the stop once the first batch is on record: the second is under way
            try {
                while (!Files.exists(journal) || Files.readAllLines(journal).size() < 2) {
                    Thread.sleep(5);
                }
            } catch (Exception e) {
                return;
            }
            Interruption.request(143);
        });
        stopper.start();
        Object[] r = CliErrorsTest.run(args);
        stopper.join();

        assertThat((int) r[0]).as((String) r[2]).isEqualTo(143);
        assertThat(messages((String) r[2])).containsExactly("advkit: stopped; what it finished is kept: run the same command again to continue");
        assertThat(Files.readAllLines(journal)).hasSize(2); // the header and the first batch; the second was abandoned
        assertThat(out.resolve(AttackJob.MANIFEST)).doesNotExist();

        Interruption.clear();
        r = CliErrorsTest.run(args);
        assertThat((int) r[0]).as((String) r[2]).isZero();
        JsonObject manifest = Json.read(out.resolve(AttackJob.MANIFEST)).getAsJsonObject();
        assertThat(manifest.get("resumed_images").getAsInt()).isEqualTo(2);
        assertThat(manifest.getAsJsonArray("images")).hasSize(4);
    }

    @Test
    void aStudyStoppedInsideAnAttackSaysSoOnceAndIsNotAFailure() {
        Path data = Shared.require("data/cifar-10_eval");
        Interruption.request(130);
        Object[] r = CliErrorsTest.run("transfer", "-q", "--leave-one-family-out", "--data", data.toString(), "--limit", "4",
                "-m", "resnet20_cifar10_advkit", "-m", "seresnet20_cifar10_advkit",
                "--attack-args", "--attack fgsm --eps 8", "--out", tmp.resolve("lofo").toString());
        assertThat((int) r[0]).isEqualTo(130);
        assertThat(messages((String) r[2])).containsExactly("advkit: stopped; what it finished is kept: run the same command again to continue");
    }
}

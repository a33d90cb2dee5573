package io.advkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.advkit.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The core's side of cluster runs (the cluster itself is the advkit-spark module's, tested there): the command line a
 * worker in another folder reads, the checks made before anything starts, and the error without the module.
 */
class ClusterOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void workersReadTheCommandLineWithAbsoluteFiles() {
        CommandLine cl = new CommandLine(new Main());
        CommandLine.ParseResult parsed = cl.parseArgs("attack", "--data", "data/x", "-s", "cifar100_resnet20", "-s", "mine=runs/m.pth",
                "-s", "lgv:runs/lgv", "-s", "runs/a.advkit", "-s", "lgv:lgv_resnet20_cifar10_advkit", "--weights-dir", "w", "--robust-to", "jpeg:75,bitdepth:5", "-q",
                "--out", "o", "--eps", "8", "--spark", "local[2]").subcommand();
        List<String> args = ClusterOptions.portableArgs(parsed);
        String here = Path.of("").toAbsolutePath().toString();
        assertThat(args.get(0)).isEqualTo("attack");
        assertThat(args).containsSubsequence("--data", here + "/data/x")
                .containsSubsequence("--surrogate", "cifar100_resnet20", "--surrogate", "mine=" + here + "/runs/m.pth",
                        "--surrogate", "lgv:" + here + "/runs/lgv", "--surrogate", here + "/runs/a.advkit",
                        "--surrogate", "lgv:lgv_resnet20_cifar10_advkit") // a collection shipped in the zoo is a name, not a folder
                .containsSubsequence("--weights-dir", here + "/w")
                .containsSubsequence("--robust-to", "jpeg:75,bitdepth:5")
                .containsSubsequence("--eps", "8")
                .contains("--quiet");
        // parsed again (as a worker does), the same settings
        CommandLine again = new CommandLine(new Main());
        AttackCommand a = (AttackCommand) again.parseArgs(args.toArray(String[]::new)).subcommand().commandSpec().userObject();
        assertThat(a.surrogates).hasSize(5);
        assertThat(a.robustTo).containsExactly("jpeg:75", "bitdepth:5");
        assertThat(a.common.quiet).isTrue();
        assertThat(a.cluster.master).isEqualTo("local[2]");

        CommandLine.ParseResult transfer = new CommandLine(new Main()).parseArgs("transfer", "--adv", "pgd=runs/p", "--adv", "runs/q",
                "-v", "cifar100_resnet20", "--out", "t").subcommand();
        assertThat(ClusterOptions.portableArgs(transfer)).containsSubsequence("--adv", "pgd=" + here + "/runs/p", "--adv", here + "/runs/q");
    }

    @Test
    void shardsAreWholeBatchesAndTheModuleIsNamed() throws Exception {
        String data = Shared.require("data/cifar-100_eval").toString();
        String weights = Shared.require("weights/cifar100").toString();
        Object[] r = CliErrorsTest.run("attack", "-q", "--data", data, "--weights-dir", weights, "-s", "cifar100_resnet20", "--out",
                tmp.resolve("a").toString(), "--spark", "local[2]", "--batch-size", "10", "--shard-size", "15");
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--shard-size must be a positive multiple of --batch-size (10), got 15").hasLineCount(1);

        r = CliErrorsTest.run("eval", "-q", "--data", data, "--weights-dir", weights, "-m", "cifar100_resnet20", "--shard-size", "100");
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--shard-size configures a Spark run; add --spark MASTER");

        // the core alone has no cluster: one line naming the module, and nothing written
        Path out = tmp.resolve("b");
        r = CliErrorsTest.run("attack", "-q", "--data", data, "--weights-dir", weights, "-s", "cifar100_resnet20", "--limit", "10",
                "--out", out.toString(), "--spark", "local[2]");
        assertThat((int) r[0]).isEqualTo(2);
        assertThat((String) r[2]).contains("--spark: running on a cluster needs the advkit-spark module").hasLineCount(1);
        assertThat(Files.exists(out.resolve("attack.json"))).isFalse();
    }
}

package io.advkit.cli;

import io.advkit.report.ReportBuilder;
import io.advkit.util.OutputFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** Markdown and HTML report from result files. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Turn result JSONs (attack, eval, audit, train, transfer) into report.md and report.html with tables and PNG plots.")
public final class ReportCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(arity = "1..*", paramLabel = "RUN", description = "result files or folders holding them")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "writes report.md, report.html and img/")
    Path out;

    @Override
    public Integer call() {
        common.apply();
        OutputFolders.requireNoForeignImages(out, Set.of());
        Map<String, Integer> counts = new ReportBuilder(out).build(runs);
        if (!common.quiet) {
            System.out.println("wrote " + out.resolve("report.html") + " and report.md from " + counts);
        }
        return 0;
    }
}

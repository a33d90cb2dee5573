package io.advkit.cli;

import io.advkit.util.Interruption;
import io.advkit.util.RunInfo;
import io.advkit.util.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** The {@code advkit} command line. */
@Command(name = "advkit", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Adversarial attacks, defenses and robustness evaluation for image classifiers.",
        subcommands = {ModelsCommand.class, ListCommand.class, EvalCommand.class, AttackCommand.class, EvaluateCommand.class, TransferCommand.class, TrainCommand.class, LinearCommand.class, LandscapeCommand.class,
            AuditCommand.class, ReportCommand.class, BenchCommand.class})
public final class Main {
    static boolean verbose;

    /**
     * The options that set each concept the core names in its errors, where the option is not simply
     * "--" + the concept with hyphens.
     */
    private static final Map<String, String> OPTION_OF = Map.of(
            "step size", "--alpha",
            "architecture", "--model",
            "inner attack", "--attack-steps",
            "weights", "--weights-dir");

    public static void main(String[] args) {
        stopOnSignal();
        System.exit(run(args));
    }

    /** Commands whose work, stopped part-way, the same command line continues. */
    private static final java.util.Set<String> RESUMABLE = java.util.Set.of("attack", "evaluate", "audit", "transfer");

    /**
     * In the commands whose loops check for it ({@link Interruption#honour}), the first SIGINT or SIGTERM stops the
     * work at its next step and a second one the process at once; elsewhere a signal exits as usual. {@code train}
     * replaces these with its own (checkpoint after the current batch, then stop).
     */
    private static void stopOnSignal() {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    if (!Interruption.honoured()) {
                        System.exit(128 + sig.getNumber()); // a command without such steps: what the JVM does by default
                    }
                    if (Interruption.requested()) {
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                    Interruption.request(128 + sig.getNumber());
                    System.err.println("\nadvkit: stopping at the next step (SIG" + sig.getName() + " again stops at once)");
                });
            } catch (IllegalArgumentException e) {
                // the VM keeps this signal (-Xrs): its default stays. (An ignored one, as in a script's background job, stays ignored.)
            }
        }
    }

    /** advkit's command line, its Path options also taking other file systems' URIs (hdfs://, s3a://). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.registerConverter(java.nio.file.Path.class, s -> {
            try {
                return io.advkit.util.StoragePaths.parse(s);
            } catch (UserError e) {
                throw new CommandLine.TypeConversionException(e.getMessage()); // picocli names the option
            }
        });
        return cl;
    }

    /** Runs a command line and returns the exit code: 0 ok, 1 internal error, 2 usage or input error. */
    public static int run(String... args) {
        verbose = false;
        CommandLine cl = commandLine();
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("advkit: " + ex.getMessage() + " (see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        return cl.execute(args);
    }

    private static int handle(Exception ex, CommandLine cl, CommandLine.ParseResult result) {
        PrintWriter err = cl.getErr();
        Throwable cause = ex;
        while (!(cause instanceof UserError) && !(cause instanceof Interruption.Stopped) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Interruption.Stopped stopped) {
            String command = result.subcommand() == null ? "" : result.subcommand().commandSpec().name();
            if (Interruption.firstReport()) { // a study's inner attack has said it already
                err.println("advkit: stopped" + (RESUMABLE.contains(command)
                        ? "; what it finished is kept: run the same command again to continue" : ""));
            }
            return stopped.exitCode();
        }
        if (cause instanceof UserError u) {
            err.println("advkit: error: " + optionPrefix(u.setting(), cl) + u.getMessage());
            if (verbose) {
                ex.printStackTrace(err);
            }
            return 2;
        }
        if (cause instanceof OutOfMemoryError) {
            err.println("advkit: out of memory; try a smaller --batch-size");
            return 1;
        }
        err.println("advkit: internal error: " + ex + (verbose ? "" : " (rerun with --verbose for the stack trace)"));
        if (verbose) {
            ex.printStackTrace(err);
        }
        return 1;
    }

    /** "--eps: " when the error is about a setting this command has an option for; "" otherwise. */
    static String optionPrefix(String setting, CommandLine cl) {
        if (setting == null) {
            return "";
        }
        String option = OPTION_OF.getOrDefault(setting, "--" + setting.toLowerCase(Locale.ROOT).replace(' ', '-'));
        return cl.getCommandSpec().findOption(option) != null ? option + ": " : "";
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"advkit " + RunInfo.advkitVersion()};
        }
    }
}

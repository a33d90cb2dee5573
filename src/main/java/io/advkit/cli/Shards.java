package io.advkit.cli;

import io.advkit.dist.ShardedJob;
import io.advkit.util.UserError;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

/**
 * The worker's side of a cluster run: the same command line the user gave, parsed the same way, built into the
 * job's batches with the output going to a scratch folder of the worker's own. Models come from
 * {@link ModelCache}, so a worker process loads each model once for all the shards it runs.
 */
public final class Shards {
    private Shards() {}

    /** A command that can run as shards on a cluster. */
    interface Sharded {
        ShardedJob shardedJob(Path scratch);
    }

    /** The job of an advkit command line ({@code args} starting with the command's name), writing into {@code scratch}. */
    public static ShardedJob open(List<String> args, Path scratch) {
        CommandLine cl = Main.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
        CommandLine.ParseResult sub = parsed.subcommand();
        Object command = sub == null ? null : sub.commandSpec().userObject();
        if (!(command instanceof Sharded s)) {
            throw new UserError("this command does not run on a cluster: " + String.join(" ", args));
        }
        return s.shardedJob(scratch);
    }
}

package io.advkit.cli;

import io.advkit.model.ModelLoader;
import io.advkit.model.WeightsResolver;
import io.advkit.util.UserError;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every command shares. */
public class CommonOptions {
    @Option(names = "--threads", description = "CPU threads for the engine (default: all cores)")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "no progress bars")
    boolean quiet;

    @Option(names = "--verbose", description = "stack traces on errors")
    boolean verbose;

    @Option(names = "--weights-dir", paramLabel = "DIR",
            description = "folder(s) holding weight files under their release names, searched before $ADVKIT_WEIGHTS_DIR, the caches and downloads")
    List<Path> weightsDirs = new ArrayList<>();

    /** Applies --threads; must run before the engine's first use. */
    void apply() {
        Main.verbose = verbose;
        if (threads != null) {
            if (threads < 1) {
                throw UserError.invalid("threads", "the engine needs at least 1 thread, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }

    WeightsResolver weights() {
        return WeightsResolver.standard(weightsDirs, quiet);
    }

    ModelLoader modelLoader(ModelLoader.External external) {
        return new ModelLoader(weights(), external);
    }
}

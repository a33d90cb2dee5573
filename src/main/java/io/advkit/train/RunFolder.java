package io.advkit.train;

import io.advkit.util.Journal;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What every resumable training run does with its folder: refuse a run it may not continue, and keep its log. */
final class RunFolder {
    private RunFolder() {}

    /**
     * Refuses a folder holding a finished run ({@code finished}), or a checkpoint unless resuming with exactly the
     * settings it was written with ({@code recorded}, read only when there is one).
     */
    static void check(Path out, Path finished, Path checkpoint, boolean resume, Object settings, java.util.function.Supplier<Object> recorded) {
        if (Files.exists(finished)) {
            throw UserError.invalid("out", out + " already holds a finished run (" + finished.getFileName() + "); train into another folder");
        }
        if (Files.exists(checkpoint)) {
            if (!resume) {
                throw UserError.invalid("out", out + " holds a checkpoint; resume it or train into another folder");
            }
            var want = Json.asRecorded(settings);
            var have = Json.asRecorded(recorded.get());
            if (!want.equals(have)) {
                throw UserError.invalid("out", checkpoint + " was written by a run with other settings ("
                        + String.join(", ", Journal.differences(want, have)) + "); resume with the same settings or train into another folder");
            }
        }
    }

    /**
     * log.jsonl, as a journal whose lines are the checkpoint's history: the checkpoint is the record of a run, so
     * a line written after it (a kill in between) is dropped, and a log of an older advkit without the journal's
     * header is rebuilt from it. A fresh start removes advkit's log of a start killed before its first checkpoint,
     * and refuses to touch a log.jsonl of someone else's.
     */
    static <R> Journal<R> openLog(Path file, Object settings, List<R> history, boolean resuming, Class<R> type) {
        boolean ours = Journal.configOf(file).isPresent();
        if (Files.exists(file) && !resuming && !ours) {
            throw UserError.invalid("out", file + " was not written by advkit; train into another folder");
        }
        if (Files.exists(file) && (!resuming || !ours)) {
            try {
                Files.delete(file);
            } catch (java.io.IOException e) {
                throw new UserError(file + ": cannot remove (" + io.advkit.util.Errors.describe(e) + ")");
            }
        }
        Journal<R> log = Journal.open(file, settings, type);
        log.retainFirst(history.size());
        for (int i = log.records().size(); i < history.size(); i++) {
            log.append(history.get(i));
        }
        return log;
    }
}

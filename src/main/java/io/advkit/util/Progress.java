package io.advkit.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;

/**
 * Progress of long work on stderr, with rate and ETA: a live bar on a terminal, a plain line every
 * 10 seconds (and one at the end) when stderr goes to a file or a CI log, nothing when quiet.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    private final String task;
    private final long total;
    private final String unit;
    private final boolean lines;
    private final long start = System.nanoTime();
    private long done;
    private long lastLine = System.nanoTime();
    private String message = "";

    private Progress(ProgressBar bar, String task, long total, String unit, boolean lines) {
        this.bar = bar;
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.lines = lines;
    }

    /** Progress counting items (images, batches, steps); {@code total} < 0 when unknown. */
    public static Progress items(String task, long total, String unit, boolean quiet) {
        return items(task, total, unit, quiet, 0);
    }

    /** Progress that resumes at {@code initial} done items, which count toward the total but not the rate. */
    public static Progress items(String task, long total, String unit, boolean quiet, long initial) {
        Progress p;
        if (quiet) {
            p = new Progress(null, task, total, unit, false);
        } else if (System.console() == null) {
            p = new Progress(null, task, total, unit, true);
        } else {
            ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setMaxRenderedLength(120)
                    .continuousUpdate().startsFrom(initial, Duration.ZERO).build();
            p = new Progress(bar, task, total, unit, false);
        }
        p.done = initial;
        p.initial = initial;
        return p;
    }

    private long initial;

    public static Progress bytes(String task, long total, boolean quiet) {
        return items(task, total < 0 ? -1 : (total + (1 << 20) - 1) >> 20, "MiB", quiet).inBytes();
    }

    private long byteRemainder;
    private boolean bytes;

    private Progress inBytes() {
        bytes = true;
        return this;
    }

    public void step(long n) {
        Interruption.check(); // every long loop reports here: a stop asked for takes effect at its next step
        if (bytes) { // count whole MiB
            byteRemainder += n;
            n = byteRemainder >> 20;
            byteRemainder &= (1 << 20) - 1;
        }
        done += n;
        if (bar != null) {
            bar.stepBy(n);
        } else if (lines && System.nanoTime() - lastLine > 10_000_000_000L) {
            printLine();
        }
    }

    /**
     * Moves the count forward to {@code position} (never back): for work reported as a running total, such as
     * the images of a batch an attack has got through so far.
     */
    public void advanceTo(long position) {
        if (position > done) {
            step(position - done);
        }
    }

    /** Text after the count, e.g. "acc 91.4%". */
    public void message(String text) {
        message = text;
        if (bar != null) {
            bar.setExtraMessage(" " + text);
        }
    }

    private void printLine() {
        lastLine = System.nanoTime();
        double secs = (lastLine - start) / 1e9;
        long fresh = done - initial; // items done in this run: the rate and ETA rest on them alone
        String eta = fresh > 0 && total > 0 ? format(Duration.ofMillis((long) (secs * 1000 * (total - done) / fresh))) : "?";
        System.err.printf("%s: %d/%s %s%s, %.1f %s/s, elapsed %s, ETA %s%s%n", task, done, total < 0 ? "?" : Long.toString(total),
                unit, initial > 0 ? " (" + initial + " from an earlier run)" : "", fresh / Math.max(secs, 1e-9), unit, format(Duration.ofMillis((long) (secs * 1000))), eta,
                message.isEmpty() ? "" : ", " + message);
    }

    /** A duration as h:mm:ss, the way progress lines print elapsed time and ETA. */
    public static String format(Duration d) {
        return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else if (lines) {
            printLine();
        }
    }
}

package io.advkit.util;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.time.Duration;

/**
 * Progress of long work on stderr, with rate and ETA: a live bar on a terminal, a plain line every
 * 10 seconds (and one at the end) when stderr goes to a file or a CI log, nothing when quiet. Work an earlier run of a
 * resumed job did counts toward the total but not toward the rate, or a job resumed at 900 of 1,000 items would
 * promise to end in seconds.
 */
public final class Progress implements AutoCloseable {
    private final String task;
    private final long total;
    private final String unit;
    private final boolean terminal;
    private final boolean lines;
    private final long start = System.nanoTime();
    private ProgressBar bar; // on a terminal: made at the first step of this run's own work, starting where earlier runs left off
    private long done;
    private long earlier; // of done, the items an earlier run did
    private long lastLine = System.nanoTime();
    private String message = "";

    private Progress(String task, long total, String unit, boolean terminal, boolean lines) {
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.terminal = terminal;
        this.lines = lines;
    }

    /** Progress counting items (images, batches, steps); {@code total} < 0 when unknown. */
    public static Progress items(String task, long total, String unit, boolean quiet) {
        boolean console = !quiet && System.console() != null;
        return new Progress(task, total, unit, console, !quiet && !console);
    }

    /** Progress that resumes at {@code initial} items an earlier run did. */
    public static Progress items(String task, long total, String unit, boolean quiet, long initial) {
        Progress p = items(task, total, unit, quiet);
        p.advanceTo(initial, true);
        return p;
    }

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
        count(n);
    }

    private void count(long n) {
        ProgressBar live = terminal ? bar() : null; // made before the count moves: it starts where earlier runs left off
        done += n;
        if (live != null) {
            live.stepBy(n);
        } else if (lines && System.nanoTime() - lastLine > 10_000_000_000L) {
            printLine();
        }
    }

    /**
     * Moves the count forward to {@code position} (never back): for work reported as a running total, such as
     * the images of a batch an attack has got through so far.
     */
    public void advanceTo(long position) {
        advanceTo(position, false);
    }

    /**
     * The same; with {@code byEarlierRun} the items were done by an earlier run of a resumed job (its journal had
     * them), and stay out of the rate and ETA. (Once this run's bar is on a terminal, the bar's own speed counts them.)
     */
    public void advanceTo(long position, boolean byEarlierRun) {
        if (position <= done) {
            return;
        }
        if (byEarlierRun) {
            earlier += position - done;
            if (terminal && bar == null) {
                done = position; // the bar, made later, starts here
                return;
            }
            count(position - done);
        } else {
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

    private ProgressBar bar() {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().setMaxRenderedLength(120)
                    .continuousUpdate().startsFrom(done, Duration.ZERO).build();
            if (!message.isEmpty()) {
                bar.setExtraMessage(" " + message);
            }
        }
        return bar;
    }

    private void printLine() {
        lastLine = System.nanoTime();
        double secs = (lastLine - start) / 1e9;
        long fresh = done - earlier; // items done in this run: the rate and ETA rest on them alone
        String eta = fresh > 0 && total > 0 ? format(Duration.ofMillis((long) (secs * 1000 * (total - done) / fresh))) : "?";
        System.err.printf("%s: %d/%s %s%s, %.1f %s/s, elapsed %s, ETA %s%s%n", task, done, total < 0 ? "?" : Long.toString(total),
                unit, earlier > 0 ? " (" + earlier + " from an earlier run)" : "", fresh / Math.max(secs, 1e-9), unit, format(Duration.ofMillis((long) (secs * 1000))), eta,
                message.isEmpty() ? "" : ", " + message);
    }

    /** A duration as h:mm:ss, the way progress lines print elapsed time and ETA. */
    public static String format(Duration d) {
        return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }

    @Override
    public void close() {
        if (terminal) {
            bar().close();
        } else if (lines) {
            printLine();
        }
    }
}

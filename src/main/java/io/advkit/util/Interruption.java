package io.advkit.util;

/**
 * A stop asked for from outside (Ctrl-C, a scheduler's SIGTERM), honoured at the next step of the work rather than in
 * the middle of a native operation. Exiting while the engine runs a convolution lets the C++ runtime's static
 * destructors free what that operation is using: a study killed this way once died with a SIGSEGV in oneDNN's
 * primitive cache and left a crash report behind. Long work asks {@link #check()} at every input gradient and every
 * progress step, so a stop takes effect within one step, and the job's journal is as a kill would leave it.
 */
public final class Interruption {
    private static volatile int exitCode;
    private static volatile boolean reported;
    private static volatile boolean honoured;

    private Interruption() {}

    /** Declares that the running work checks (see above); until then a signal keeps its usual effect. */
    public static void honour() {
        honoured = true;
    }

    public static boolean honoured() {
        return honoured;
    }

    /** The work is to stop; the process will exit with {@code code} (128 + the signal's number, by convention). */
    public static void request(int code) {
        exitCode = code;
    }

    public static boolean requested() {
        return exitCode != 0;
    }

    /** Throws {@link Stopped} once a stop has been requested. */
    public static void check() {
        int code = exitCode;
        if (code != 0) {
            throw new Stopped(code);
        }
    }

    /** True the first time it is asked after a request: the stop is reported once, however many layers unwind. */
    public static synchronized boolean firstReport() {
        boolean first = !reported;
        reported = true;
        return first;
    }

    /** Forgets a request (a process that runs commands one after another, as the tests do). */
    public static synchronized void clear() {
        exitCode = 0;
        reported = false;
    }

    /** Unwinds the work from the step at which a stop was noticed. */
    public static final class Stopped extends RuntimeException {
        private final int exitCode;

        Stopped(int exitCode) {
            super("stopped on request", null, false, false);
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }
}

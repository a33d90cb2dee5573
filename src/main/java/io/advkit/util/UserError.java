package io.advkit.util;

/**
 * A problem the user can fix (bad file, bad setting, wrong weights). The CLI prints its message as
 * one line and exits non-zero, without a stack trace; everything else is treated as a bug.
 *
 * <p>A {@code setting} names the concept that was wrong ("eps", "steps", "fusion") in the core's own words;
 * the CLI maps it to the option the user typed, so core messages never need to know the command line.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String setting;

    public UserError(String message) {
        this(null, message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
        this.setting = null;
    }

    private UserError(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** An invalid value of a named setting (a hyper-parameter, a budget, a file role). */
    public static UserError invalid(String setting, String message) {
        return new UserError(setting, message);
    }

    /** The concept the error is about, or null. */
    public String setting() {
        return setting;
    }
}

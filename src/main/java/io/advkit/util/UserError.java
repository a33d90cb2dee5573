package io.advkit.util;

/**
 * A problem the user can fix (bad file, bad option, wrong weights). The CLI prints its message as
 * one line and exits non-zero, without a stack trace; everything else is treated as a bug.
 */
public class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}

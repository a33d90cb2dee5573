package io.advkit.checkpoint;

import io.advkit.util.UserError;

/** A pickle asked for a Python global outside the allow-list; loading stops before anything is built. */
public class ForbiddenGlobalException extends UserError {
    private static final long serialVersionUID = 1L;
    private final String global;

    public ForbiddenGlobalException(String global) {
        super("refusing to unpickle the Python global '" + global + "': only tensor-rebuilding globals are allowed"
                + " (a checkpoint that needs it could run code; re-save it as a plain state_dict)");
        this.global = global;
    }

    /** The refused global, as "module.name". */
    public String global() {
        return global;
    }
}

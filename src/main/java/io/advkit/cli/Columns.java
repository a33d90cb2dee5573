package io.advkit.cli;

import java.util.Collection;

/** Console tables: a name column as wide as its longest entry, so long names (paths, zoo names) do not push the numbers out of line. */
final class Columns {
    private Columns() {}

    /** A left-aligned format for the column: at least {@code min} wide, wider when a value needs it. */
    static String left(int min, Collection<String> values) {
        int w = min;
        for (String v : values) {
            w = Math.max(w, v.length());
        }
        return "%-" + w + "s";
    }
}

package io.advkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** What a piece of work printed on stderr (progress lines, one-line errors), with what it returned. */
public record Stderr<T>(T value, String text) {
    public static <T> Stderr<T> of(Supplier<T> work) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            T value = work.get();
            return new Stderr<>(value, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }
}

package io.advkit.util;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.ToNumberPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The edge where typed results become files: records are written with snake_case keys ({@code maxLinf} →
 * {@code max_linf}), pretty-printed and atomically, and read back into the same records.
 */
public final class Json {
    public static final Gson GSON = builder().setPrettyPrinting().create();

    /** The same, on one line (JSON-lines logs and journals). */
    public static final Gson LINE = builder().create();

    private Json() {}

    private static GsonBuilder builder() {
        return new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
                .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE);
    }

    /**
     * {@code value} as it reads back from a file. Comparing a job's settings with those recorded must go through the
     * text: a float such as 1/15 becomes {@code 0.06666667} on disk, which parses to a double other than the float's
     * own, so the in-memory tree would never equal the recorded one and a killed job could not resume.
     */
    public static JsonElement asRecorded(Object value) {
        return JsonParser.parseString(LINE.toJson(value));
    }

    public static void write(Path file, Object value) {
        AtomicFiles.writeString(file, GSON.toJson(value) + "\n");
    }

    public static JsonElement read(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file));
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + Errors.describe(e) + ")");
        } catch (JsonParseException e) {
            throw new UserError(file + ": not valid JSON (" + Errors.describe(e) + ")");
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        try {
            T value = GSON.fromJson(read(file), type);
            if (value == null) {
                throw new UserError(file + ": empty JSON");
            }
            return value;
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new UserError(file + ": not the expected JSON (" + Errors.describe(e) + ")");
        }
    }
}

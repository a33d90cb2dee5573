package io.advkit.util;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON results: pretty-printed, written atomically so a killed run never leaves half a file. */
public final class Json {
    public static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping()
            .serializeSpecialFloatingPointValues().setObjectToNumberStrategy(com.google.gson.ToNumberPolicy.LONG_OR_DOUBLE).create();

    /** The same, on one line (JSON-lines logs and journals). */
    public static final Gson LINE = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues()
            .setObjectToNumberStrategy(com.google.gson.ToNumberPolicy.LONG_OR_DOUBLE).create();

    private Json() {}

    public static void write(Path file, Object value) {
        io.advkit.data.ImageCodec.writeAtomically(file, (GSON.toJson(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    public static JsonElement read(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file));
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")");
        } catch (com.google.gson.JsonParseException e) {
            throw new UserError(file + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    public static <T> T read(Path file, Class<T> type) {
        return GSON.fromJson(read(file), type);
    }
}

package io.advkit.model;

import com.google.gson.JsonObject;
import io.advkit.checkpoint.StateDict;
import io.advkit.data.ImageCodec;
import io.advkit.util.Json;
import io.advkit.util.UserError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * advkit's own model file ({@code .advkit}): a zip holding {@code model.json} (name, architecture,
 * classes, normalization, how it was trained, its measured accuracy) and {@code weights.pth} (a PyTorch
 * state_dict with pytorchcv key names). Self-describing, so {@code --model run/final.advkit} needs nothing
 * else. Training checkpoints use the same container with more entries.
 */
public final class AdvkitModelFile {
    private AdvkitModelFile() {}

    public static boolean isAdvkitFile(String spec) {
        return spec.endsWith(".advkit");
    }

    /** Writes named entries into one zip, atomically. */
    public static void writeEntries(Path file, Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ImageCodec.writeAtomically(file, bytes.toByteArray());
    }

    public static Map<String, byte[]> readEntries(Path file) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UserError(file + ": not a readable advkit file (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Serializes a state_dict to torch.save bytes (through a temporary file, the writer's only output). */
    public static byte[] stateDictBytes(StateDict sd) {
        try {
            Path tmp = Files.createTempFile("advkit-", ".pth");
            try {
                sd.save(tmp);
                return Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static StateDict stateDictFrom(byte[] bytes, String where) {
        try {
            Path tmp = Files.createTempFile("advkit-", ".pth");
            try {
                Files.write(tmp, bytes);
                return StateDict.of(io.advkit.checkpoint.TorchCheckpoint.read(tmp), where);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Saves a model with its description; {@code info} adds recipe and metrics to model.json. */
    public static void save(Path file, ZooModel model, Map<String, Object> info) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("format", "advkit-model-1");
        meta.put("name", model.name());
        meta.put("arch", model.arch());
        meta.put("classes", model.numClasses());
        meta.put("mean", model.normalization().mean());
        meta.put("std", model.normalization().std());
        meta.putAll(info);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model.json", Json.GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
        entries.put("weights.pth", stateDictBytes(model.stateDict()));
        writeEntries(file, entries);
    }

    public static ZooModel load(Path file) {
        Map<String, byte[]> entries = readEntries(file);
        if (!entries.containsKey("model.json") || !entries.containsKey("weights.pth")) {
            throw new UserError(file + ": not an advkit model file (model.json or weights.pth missing)");
        }
        JsonObject meta = Json.GSON.fromJson(new String(entries.get("model.json"), StandardCharsets.UTF_8), JsonObject.class);
        Normalization norm = new Normalization(Json.GSON.fromJson(meta.get("mean"), float[].class), Json.GSON.fromJson(meta.get("std"), float[].class));
        return ZooModel.load(meta.get("name").getAsString(), meta.get("arch").getAsString(), meta.get("classes").getAsInt(), norm,
                stateDictFrom(entries.get("weights.pth"), file.toString()), file.toString());
    }
}

package io.advkit.model;

import io.advkit.checkpoint.StateDict;
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
        io.advkit.util.AtomicFiles.write(file, bytes.toByteArray());
    }

    public static Map<String, byte[]> readEntries(Path file) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(io.advkit.util.LocalFiles.local(file).toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    out.put(e.getName(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UserError(file + ": not a readable advkit file (" + io.advkit.util.Errors.describe(e) + ")");
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

    /** What model.json always holds; a file written by training adds how it was trained. */
    /** {@code channels} is absent (null) in files written before grayscale models: those are RGB. */
    record Header(String format, String name, String arch, int classes, Integer channels, float[] mean, float[] std) {}

    /** Saves a model with its description; {@code info} (a record) adds recipe and metrics to model.json. */
    public static void save(Path file, ZooModel model, Object info) {
        Header h = new Header("advkit-model-1", model.name(), model.arch(), model.numClasses(), model.channels(), model.normalization().mean(),
                model.normalization().std());
        com.google.gson.JsonObject meta = Json.GSON.toJsonTree(h).getAsJsonObject();
        Json.GSON.toJsonTree(info).getAsJsonObject().entrySet().forEach(e -> meta.add(e.getKey(), e.getValue()));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("model.json", Json.GSON.toJson(meta).getBytes(StandardCharsets.UTF_8));
        entries.put("weights.pth", stateDictBytes(model.stateDict()));
        writeEntries(file, entries);
    }

    /** The architecture a model file holds, read from its description without building the network. */
    public static String archOf(Path file) {
        return header(file, readEntries(file)).arch();
    }

    public static ZooModel load(Path file) {
        Map<String, byte[]> entries = readEntries(file);
        Header h = header(file, entries);
        return ZooModel.load(h.name(), h.arch(), h.classes(), h.channels() == null ? 3 : h.channels(), new Normalization(h.mean(), h.std()),
                stateDictFrom(entries.get("weights.pth"), file.toString()), file.toString());
    }

    private static Header header(Path file, Map<String, byte[]> entries) {
        if (!entries.containsKey("model.json") || !entries.containsKey("weights.pth")) {
            throw new UserError(file + ": not an advkit model file (model.json or weights.pth missing)");
        }
        Header h;
        try {
            h = Json.GSON.fromJson(new String(entries.get("model.json"), StandardCharsets.UTF_8), Header.class);
        } catch (com.google.gson.JsonParseException e) {
            throw new UserError(file + ": model.json is not valid (" + io.advkit.util.Errors.describe(e) + ")");
        }
        if (h == null || h.name() == null || h.arch() == null || h.mean() == null || h.std() == null) {
            throw new UserError(file + ": model.json lacks the model's name, architecture or normalization");
        }
        return h;
    }
}

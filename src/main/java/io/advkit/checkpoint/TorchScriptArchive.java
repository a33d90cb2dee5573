package io.advkit.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TorchScript module as {@code torch.jit.save} writes it, for a module without parameters whose code advkit
 * supplies: {@code data.pkl} (the object: its class, state {"training": True}), {@code code/__torch__.py} (the
 * class's TorchScript source, which libtorch compiles when it loads the archive), an empty constants table and the
 * format version. This lets advkit call libtorch functions that the engine binding lacks (autograd.grad).
 */
public final class TorchScriptArchive {
    private TorchScriptArchive() {}

    /** The archive of one {@code __torch__.CLASS} object, {@code code} defining that class. */
    public static byte[] of(String archive, String className, String code) {
        PickleWriter object = new PickleWriter();
        object.proto(2);
        object.global("__torch__", className);
        object.emptyTuple();
        object.newObj();
        object.emptyDict();
        object.string("training");
        object.bool(true);
        object.setItem();
        object.build();
        object.stop();
        PickleWriter constants = new PickleWriter();
        constants.proto(2);
        constants.emptyTuple();
        constants.stop();
        Map<String, byte[]> records = new LinkedHashMap<>();
        records.put(archive + "/data.pkl", object.toByteArray());
        records.put(archive + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
        records.put(archive + "/constants.pkl", constants.toByteArray());
        records.put(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return TorchZipWriter.archive(records);
    }
}

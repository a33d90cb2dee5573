package io.advkit.checkpoint;

import io.advkit.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads PyTorch checkpoints without Python: the zip format of {@code torch.save} since 1.6 (both its
 * variants: with and without {@code byteorder}/{@code .format_version} records) and the legacy format
 * (a sequence of pickles followed by raw storages). Unpickling is restricted to an allow-list of
 * tensor-rebuilding globals, so a checkpoint can never run code.
 */
public final class TorchCheckpoint {
    /** The legacy format's first pickle: torch.serialization.MAGIC_NUMBER. */
    private static final long LEGACY_MAGIC_HI = 0x1950L;
    private static final long LEGACY_MAGIC_LO = 0xa86a20f9469cfc6cL;

    private TorchCheckpoint() {}

    /** A storage type named in a pickle, e.g. the global {@code torch.FloatStorage}. */
    record StorageType(DType dtype) implements PickleReader.Callable {
        @Override
        public Object call(List<Object> args) {
            throw new IllegalStateException("checkpoint calls a storage type, which advkit does not allow");
        }
    }

    /** Bytes of one storage; in the legacy format they arrive after the pickle that names them. */
    static final class Storage {
        final DType dtype;
        final long numel;
        ByteBuffer data;
        Storage viewOf;
        long viewOffset;

        Storage(DType dtype, long numel) {
            this.dtype = dtype;
            this.numel = numel;
        }

        ByteBuffer bytes() {
            if (viewOf != null) {
                ByteBuffer root = viewOf.bytes();
                return root.slice(Math.toIntExact(viewOffset * dtype.size()), Math.toIntExact(numel * dtype.size()))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            if (data == null) {
                throw new IllegalStateException("storage data missing from the checkpoint");
            }
            return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** A tensor as the pickle describes it, materialized once all storages are read. */
    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {
        Tensor materialize() {
            ByteBuffer src = storage.bytes();
            int es = storage.dtype.size();
            long n = Tensor.numel(size);
            ByteBuffer dst = ByteBuffer.allocate(Math.toIntExact(n * es)).order(ByteOrder.LITTLE_ENDIAN);
            long[] idx = new long[size.length];
            for (long k = 0; k < n; k++) {
                long off = offset;
                for (int d = 0; d < size.length; d++) {
                    off += idx[d] * stride[d];
                }
                if (off < 0 || off >= storage.numel) {
                    throw new IllegalStateException("tensor reaches outside its storage");
                }
                for (int b = 0; b < es; b++) {
                    dst.put(src.get(Math.toIntExact(off * es + b)));
                }
                for (int d = size.length - 1; d >= 0; d--) { // odometer over the index
                    if (++idx[d] < size[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
            return new Tensor(storage.dtype, size, dst.flip());
        }
    }

    /**
     * Reads a checkpoint and returns its top-level object with every tensor as a {@link Tensor}
     * (dicts as maps, lists and tuples as lists).
     */
    public static Object read(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(4);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        }
        try {
            if (head.length == 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                return readZip(file);
            }
            if (head.length >= 2 && (head[0] & 0xFF) == 0x80) {
                return readLegacy(file);
            }
            throw new UserError(file + ": not a PyTorch checkpoint (neither the zip nor the legacy pickle format)");
        } catch (ForbiddenGlobalException e) {
            throw new ForbiddenGlobalExceptionIn(file, e);
        } catch (IllegalStateException | IndexOutOfBoundsException | java.nio.BufferUnderflowException
                 | ClassCastException | ArithmeticException e) {
            throw new UserError(file + ": corrupt or unsupported PyTorch checkpoint (" + io.advkit.util.Errors.describe(e) + ")");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        }
    }

    /** Same exception type, with the file named first. */
    static final class ForbiddenGlobalExceptionIn extends ForbiddenGlobalException {
        private static final long serialVersionUID = 1L;
        private final String message;

        ForbiddenGlobalExceptionIn(Path file, ForbiddenGlobalException cause) {
            super(cause.global());
            this.message = file + ": " + cause.getMessage();
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    private static Object readZip(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(io.advkit.util.LocalFiles.local(file).toFile())) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("data.pkl")
                    && e.getName().indexOf('/') == e.getName().length() - "data.pkl".length() - 1)
                    .findFirst().orElseThrow(() -> new UserError(file + ": zip file has no <archive>/data.pkl; not a torch.save file"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                try (InputStream in = zip.getInputStream(bo)) {
                    order = new String(in.readAllBytes()).strip().equals("big") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                }
            }
            ByteOrder dataOrder = order;
            Map<String, Storage> loaded = new HashMap<>();
            PickleReader reader = new PickleReader(allowList(), pid -> {
                List<?> t = (List<?>) pid;
                if (!"storage".equals(t.get(0))) {
                    throw new IllegalStateException("unknown persistent id kind " + t.get(0));
                }
                StorageType type = (StorageType) t.get(1);
                String key = (String) t.get(2);
                long numel = ((Number) t.get(4)).longValue();
                return loaded.computeIfAbsent(key, k -> {
                    ZipEntry e = zip.getEntry(prefix + "data/" + k);
                    if (e == null) {
                        throw new IllegalStateException("storage record data/" + k + " is missing");
                    }
                    Storage s = new Storage(type.dtype(), numel);
                    try (InputStream in = zip.getInputStream(e)) {
                        s.data = toLittleEndian(in.readAllBytes(), type.dtype(), dataOrder);
                    } catch (IOException ex) {
                        throw new IllegalStateException("cannot read data/" + k + ": " + io.advkit.util.Errors.describe(ex));
                    }
                    if (s.data.remaining() < numel * type.dtype().size()) {
                        throw new IllegalStateException("storage data/" + k + " is truncated");
                    }
                    return s;
                });
            });
            byte[] pickle;
            try (InputStream in = zip.getInputStream(pkl)) {
                pickle = in.readAllBytes();
            }
            return materialize(reader.load(ByteBuffer.wrap(pickle)));
        }
    }

    private static Object readLegacy(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        PickleReader plain = new PickleReader(Map.of(), null);
        Object magic = plain.load(buf);
        if (!(magic instanceof java.math.BigInteger bi)
                || !bi.equals(java.math.BigInteger.valueOf(LEGACY_MAGIC_HI).shiftLeft(64)
                        .or(new java.math.BigInteger(Long.toUnsignedString(LEGACY_MAGIC_LO))))) {
            throw new UserError(file + ": a pickle, but not a PyTorch checkpoint (magic number missing)");
        }
        plain.load(buf); // protocol version
        Object sysInfo = plain.load(buf);
        boolean little = !(sysInfo instanceof Map<?, ?> m) || !Boolean.FALSE.equals(m.get("little_endian"));
        Map<String, Storage> storages = new LinkedHashMap<>();
        PickleReader reader = new PickleReader(allowList(), pid -> {
            List<?> t = (List<?>) pid;
            if (!"storage".equals(t.get(0))) {
                throw new IllegalStateException("checkpoint pickles a whole module (persistent id '" + t.get(0)
                        + "'); only state_dicts are supported");
            }
            StorageType type = (StorageType) t.get(1);
            String key = (String) t.get(2);
            long numel = ((Number) t.get(4)).longValue();
            Storage root = storages.computeIfAbsent(key, k -> new Storage(type.dtype(), numel));
            Object view = t.size() > 5 ? t.get(5) : null;
            if (view instanceof List<?> v) { // (view_key, offset, view_size)
                Storage s = new Storage(type.dtype(), ((Number) v.get(2)).longValue());
                s.viewOf = root;
                s.viewOffset = ((Number) v.get(1)).longValue();
                return s;
            }
            return root;
        });
        Object result = reader.load(buf);
        List<?> keys = (List<?>) plain.load(buf);
        for (Object k : keys) {
            Storage s = storages.get((String) k);
            if (s == null) {
                throw new IllegalStateException("storage " + k + " listed but never used");
            }
            long numel = little ? buf.getLong() : Long.reverseBytes(buf.getLong());
            int len = Math.toIntExact(numel * s.dtype.size());
            byte[] raw = new byte[len];
            buf.get(raw);
            s.data = toLittleEndian(raw, s.dtype, little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        }
        return materialize(result);
    }

    private static ByteBuffer toLittleEndian(byte[] raw, DType dtype, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN && dtype.size() > 1) {
            int es = dtype.size();
            for (int i = 0; i + es <= raw.length; i += es) {
                for (int a = i, b = i + es - 1; a < b; a++, b--) {
                    byte tmp = raw[a];
                    raw[a] = raw[b];
                    raw[b] = tmp;
                }
            }
        }
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The only globals a checkpoint may name. Anything else stops loading with the global's name. */
    static Map<String, PickleReader.Callable> allowList() {
        Map<String, PickleReader.Callable> m = new HashMap<>();
        m.put("collections.OrderedDict", args -> {
            Map<Object, Object> d = new LinkedHashMap<>();
            if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                for (Object p : pairs) {
                    List<?> kv = (List<?>) p;
                    d.put(kv.get(0), kv.get(1));
                }
            }
            return d;
        });
        PickleReader.Callable rebuild = args -> new TensorRef((Storage) args.get(0), ((Number) args.get(1)).longValue(),
                longs(args.get(2)), longs(args.get(3)));
        m.put("torch._utils._rebuild_tensor_v2", rebuild);
        m.put("torch._utils._rebuild_tensor", rebuild);
        m.put("torch._utils._rebuild_parameter", args -> args.get(0));
        m.put("torch._utils._rebuild_parameter_with_state", args -> args.get(0));
        m.put("torch.Size", args -> args.isEmpty() ? List.of() : args.get(0));
        for (DType d : DType.values()) {
            m.put("torch." + d.storageClass(), new StorageType(d));
        }
        m.put("torch.UntypedStorage", new StorageType(DType.UINT8));
        return m;
    }

    private static long[] longs(Object o) {
        List<?> l = (List<?>) o;
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) l.get(i)).longValue();
        }
        return out;
    }

    private static Object materialize(Object o) {
        if (o instanceof TensorRef t) {
            return t.materialize();
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, materialize(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object v : l) {
                out.add(materialize(v));
            }
            return out;
        }
        if (o instanceof Storage) {
            throw new IllegalStateException("checkpoint holds a bare storage, not a tensor");
        }
        return o;
    }
}

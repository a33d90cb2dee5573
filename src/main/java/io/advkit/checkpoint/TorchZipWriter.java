package io.advkit.checkpoint;


import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a state_dict in PyTorch's zip serialization: {@code archive/data.pkl} (an OrderedDict of
 * {@code _rebuild_tensor_v2} calls whose storages are persistent ids), one uncompressed record per
 * storage under {@code archive/data/}, and {@code archive/version}. Records are 64-byte aligned, as
 * torch.save aligns them, so the file can be memory-mapped by torch.load(mmap=True).
 */
final class TorchZipWriter {
    private static final int ALIGN = 64;
    private static final long FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();

    private TorchZipWriter() {}

    static void write(Path file, Map<String, Tensor> tensors) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CountingStream counted = new CountingStream(bytes);
        try (ZipOutputStream zip = new ZipOutputStream(counted)) {
            List<Tensor> storages = new ArrayList<>(tensors.values());
            put(zip, counted, "archive/data.pkl", pickle(tensors), false);
            put(zip, counted, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII), false);
            for (int i = 0; i < storages.size(); i++) {
                ByteBuffer b = storages.get(i).bytes();
                byte[] raw = new byte[b.remaining()];
                b.get(raw);
                put(zip, counted, "archive/data/" + i, raw, true);
            }
            put(zip, counted, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII), false);
        } catch (IOException e) {
            throw new IllegalStateException("zip writing to memory failed", e);
        }
        io.advkit.util.AtomicFiles.write(file, bytes.toByteArray());
    }

    /**
     * A PyTorch zip archive of the given records, in order, stored uncompressed as libtorch's reader expects (a
     * TorchScript module's code and pickles, for one).
     */
    static byte[] archive(Map<String, byte[]> records) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CountingStream counted = new CountingStream(bytes);
        try (ZipOutputStream zip = new ZipOutputStream(counted)) {
            for (var r : records.entrySet()) {
                put(zip, counted, r.getKey(), r.getValue(), false);
            }
        } catch (IOException e) {
            throw new IllegalStateException("zip writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, CountingStream counted, String name, byte[] data, boolean align)
            throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        e.setTime(FIXED_TIME);
        if (align) {
            // local header = 30 bytes + name + extra; pad the extra field so the data starts aligned
            long start = counted.count + 30 + name.getBytes(StandardCharsets.UTF_8).length + 4;
            int pad = (int) ((ALIGN - start % ALIGN) % ALIGN);
            byte[] extra = new byte[4 + pad];
            extra[0] = 'F';
            extra[1] = 'B';
            extra[2] = (byte) pad;
            extra[3] = (byte) (pad >> 8);
            e.setExtra(extra);
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The pickle torch.save writes for an OrderedDict of tensors (protocol 2, no memo needed). */
    static byte[] pickle(Map<String, Tensor> tensors) {
        PickleWriter w = new PickleWriter();
        w.proto(2);
        w.global("collections", "OrderedDict");
        w.emptyTuple();
        w.reduce();
        w.mark();
        int key = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long[] shape = t.shape();
            long[] stride = new long[shape.length];
            long s = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= shape[d];
            }
            w.string(e.getKey());
            w.global("torch._utils", "_rebuild_tensor_v2");
            w.mark();
            w.mark(); // persistent id ('storage', torch.XStorage, key, 'cpu', numel)
            w.string("storage");
            w.global("torch", t.dtype().storageClass());
            w.string(Integer.toString(key++));
            w.string("cpu");
            w.integer(t.numel());
            w.tuple();
            w.binPersId();
            w.integer(0); // storage offset
            w.tupleOf(shape);
            w.tupleOf(stride);
            w.bool(false); // requires_grad
            w.global("collections", "OrderedDict"); // backward hooks
            w.emptyTuple();
            w.reduce();
            w.tuple();
            w.reduce();
        }
        w.setItems();
        w.stop();
        return w.toByteArray();
    }

    /** Counts bytes so zip entries can be aligned. */
    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}

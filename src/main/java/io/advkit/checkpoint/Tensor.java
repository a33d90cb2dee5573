package io.advkit.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A dense tensor as stored in a checkpoint: element type, shape and contiguous little-endian bytes.
 * Independent of any engine, so checkpoint I/O can be tested and reused without native code.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data; // little-endian, row-major contiguous, position 0

    public Tensor(DType dtype, long[] shape, ByteBuffer data) {
        long n = numel(shape);
        if (data.remaining() != n * dtype.size()) {
            throw new IllegalArgumentException("tensor " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + n * dtype.size() + " bytes, got " + data.remaining());
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static Tensor ofFloats(long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Tensor(DType.FLOAT32, shape, b);
    }

    public static Tensor ofLongs(long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Tensor(DType.INT64, shape, b);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    /** A read-only little-endian view of the bytes. */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Values as float32, converting from any floating or integer type. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case FLOAT32 -> b.getFloat(i * 4);
                case FLOAT64 -> (float) b.getDouble(i * 8);
                case FLOAT16 -> halfToFloat(b.getShort(i * 2));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT16 -> b.getShort(i * 2);
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xFF;
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat exists only from Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Values as int64; only for integer types. */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = bytes();
        for (int i = 0; i < n; i++) {
            out[i] = switch (dtype) {
                case INT64 -> b.getLong(i * 8);
                case INT32 -> b.getInt(i * 4);
                case INT16 -> b.getShort(i * 2);
                case INT8 -> b.get(i);
                case UINT8, BOOL -> b.get(i) & 0xFF;
                default -> throw new IllegalStateException("not an integer tensor: " + dtype);
            };
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.dtype == dtype && Arrays.equals(t.shape, shape) && t.bytes().equals(bytes());
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + dtype.hashCode();
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}

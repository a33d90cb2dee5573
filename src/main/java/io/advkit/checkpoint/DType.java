package io.advkit.checkpoint;

import java.util.Arrays;
import java.util.Optional;

/** Element types of PyTorch storages, with the storage class names pickles use for them. */
public enum DType {
    FLOAT32(4, "FloatStorage"),
    FLOAT64(8, "DoubleStorage"),
    FLOAT16(2, "HalfStorage"),
    BFLOAT16(2, "BFloat16Storage"),
    INT64(8, "LongStorage"),
    INT32(4, "IntStorage"),
    INT16(2, "ShortStorage"),
    INT8(1, "CharStorage"),
    UINT8(1, "ByteStorage"),
    BOOL(1, "BoolStorage");

    private final int size;
    private final String storageClass;

    DType(int size, String storageClass) {
        this.size = size;
        this.storageClass = storageClass;
    }

    public int size() {
        return size;
    }

    /** e.g. "FloatStorage", as in the pickle global {@code torch.FloatStorage}. */
    public String storageClass() {
        return storageClass;
    }

    public static Optional<DType> ofStorageClass(String name) {
        return Arrays.stream(values()).filter(d -> d.storageClass.equals(name)).findFirst();
    }

    public boolean isFloating() {
        return this == FLOAT32 || this == FLOAT64 || this == FLOAT16 || this == BFLOAT16;
    }
}

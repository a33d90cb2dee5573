package io.advkit.checkpoint;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Emits the few pickle opcodes a state_dict needs; each method is one opcode (or a fixed group). */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void proto(int v) {
        out.write(0x80);
        out.write(v);
    }

    void global(String module, String name) {
        out.write('c');
        ascii(module + "\n" + name + "\n");
    }

    void mark() {
        out.write('(');
    }

    void tuple() {
        out.write('t');
    }

    void emptyTuple() {
        out.write(')');
    }

    void tupleOf(long[] values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        tuple();
    }

    void reduce() {
        out.write('R');
    }

    void setItems() {
        out.write('u');
    }

    void binPersId() {
        out.write('Q');
    }

    void bool(boolean b) {
        out.write(b ? 0x88 : 0x89);
    }

    /** NEWOBJ: cls(*args) from the class and the argument tuple on the stack. */
    void newObj() {
        out.write(0x81);
    }

    void emptyDict() {
        out.write('}');
    }

    /** SETITEM: dict[key] = value, the three on the stack. */
    void setItem() {
        out.write('s');
    }

    /** BUILD: obj.__setstate__(state), or its __dict__ updated by it. */
    void build() {
        out.write('b');
    }

    void stop() {
        out.write('.');
    }

    void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        int32(b.length);
        out.writeBytes(b);
    }

    void integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) v & 0xFF);
            out.write((int) (v >> 8) & 0xFF);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            int32((int) v);
        } else {
            out.write(0x8a); // LONG1, 8 bytes little-endian two's complement
            out.write(8);
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >> (8 * i)) & 0xFF);
            }
        }
    }

    private void int32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write((v >> (8 * i)) & 0xFF);
        }
    }

    private void ascii(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}

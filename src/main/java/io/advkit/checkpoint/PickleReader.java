package io.advkit.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A restricted unpickler (protocols 0-5, the opcodes torch.save emits and a few more). It never
 * resolves a Python global by itself: {@code GLOBAL}/{@code STACK_GLOBAL}/{@code INST}/{@code OBJ}
 * look the name up in an explicit allow-list of Java functions and throw
 * {@link ForbiddenGlobalException} for anything else, as {@code torch.load(weights_only=True)} does.
 *
 * <p>Python values become: None → null, bool → Boolean, int → Long (or BigInteger), float → Double,
 * str → String, bytes → byte[], tuple and list → List, dict → LinkedHashMap.
 */
public final class PickleReader {
    /** An allow-listed Python callable, implemented in Java. */
    @FunctionalInterface
    public interface Callable {
        Object call(List<Object> args);
    }

    /** Objects that accept pickle's BUILD (the __setstate__ step); others refuse it. */
    public interface Buildable {
        void setState(Object state);
    }

    private static final Object MARK = new Object();

    private final Map<String, Callable> allowed;
    private final Function<Object, Object> persistentLoad;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private ByteBuffer in;

    /**
     * @param allowed        "module.name" → implementation, the only globals a pickle may use
     * @param persistentLoad resolves persistent ids (torch's storages); null refuses them
     */
    public PickleReader(Map<String, Callable> allowed, Function<Object, Object> persistentLoad) {
        this.allowed = allowed;
        this.persistentLoad = persistentLoad;
    }

    /** Reads one pickle starting at the buffer's position, leaving the position just after STOP. */
    public Object load(ByteBuffer buffer) {
        in = buffer.order(ByteOrder.LITTLE_ENDIAN);
        stack.clear();
        marks.clear();
        memo.clear();
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> in.getLong(); // FRAME: length only, the data follows inline
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> { // MARK
                    marks.add(stack.size());
                    stack.add(MARK);
                }
                case '0' -> pop(); // POP
                case '1' -> popMark(); // POP_MARK
                case '2' -> push(peek()); // DUP
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'I' -> push(parseIntLine(line()));
                case 'J' -> push((long) in.getInt()); // BININT
                case 'K' -> push((long) u8()); // BININT1
                case 'M' -> push((long) (in.getShort() & 0xFFFF)); // BININT2
                case 'L' -> push(normalize(new BigInteger(line().replaceAll("L$", "")))); // LONG
                case 0x8a -> push(longBytes(u8())); // LONG1
                case 0x8b -> push(longBytes(in.getInt())); // LONG4
                case 'F' -> push(Double.parseDouble(line()));
                case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT: big-endian
                case 'S' -> push(unquote(line())); // STRING
                case 'T' -> push(new String(bytes(in.getInt()), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 'U' -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                case 'V' -> push(line()); // UNICODE (raw-unicode-escape; ASCII in practice)
                case 'X' -> push(new String(bytes(in.getInt()), StandardCharsets.UTF_8)); // BINUNICODE
                case 0x8c -> push(new String(bytes(u8()), StandardCharsets.UTF_8)); // SHORT_BINUNICODE
                case 0x8d -> push(new String(bytes(Math.toIntExact(in.getLong())), StandardCharsets.UTF_8));
                case 'B' -> push(bytes(in.getInt())); // BINBYTES
                case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x8e -> push(bytes(Math.toIntExact(in.getLong()))); // BINBYTES8
                case 0x96 -> push(bytes(Math.toIntExact(in.getLong()))); // BYTEARRAY8
                case ')' -> push(tuple(List.of()));
                case 't' -> push(tuple(popMark()));
                case 0x85 -> push(tuple(List.of(pop())));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(tuple(List.of(a, b)));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(tuple(List.of(a, b, c)));
                }
                case ']' -> push(new ArrayList<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'a' -> { // APPEND
                    Object v = pop();
                    list(peek()).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case '}' -> push(new LinkedHashMap<>());
                case 'd' -> push(dictOf(popMark(), new LinkedHashMap<>()));
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    dict(peek()).put(k, v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> kv = popMark();
                    dictOf(kv, dict(peek()));
                }
                case 0x8f -> push(new ArrayList<>()); // EMPTY_SET (as a list)
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    list(peek()).addAll(items);
                }
                case 0x91 -> push(new ArrayList<>(popMark())); // FROZENSET
                case 'c' -> { // GLOBAL module\nname\n
                    String module = line();
                    push(resolve(module, line()));
                }
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    push(resolve((String) pop(), name));
                }
                case 'i' -> { // INST module\nname\n, args from mark
                    String module = line();
                    Callable c = resolve(module, line());
                    push(c.call(popMark()));
                }
                case 'o' -> { // OBJ: class, args from mark
                    List<Object> items = popMark();
                    push(callable(items.get(0)).call(items.subList(1, items.size())));
                }
                case 'R' -> { // REDUCE
                    List<Object> args = list(pop());
                    push(callable(pop()).call(args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    List<Object> args = list(pop());
                    push(callable(pop()).call(args));
                }
                case 0x92 -> { // NEWOBJ_EX
                    pop(); // kwargs: none of the allowed classes takes any
                    List<Object> args = list(pop());
                    push(callable(pop()).call(args));
                }
                case 'b' -> { // BUILD
                    Object state = pop();
                    Object target = peek();
                    if (target instanceof Buildable b) {
                        b.setState(state);
                    } else if (!(target instanceof Map)) {
                        // OrderedDict's BUILD carries attributes such as _metadata: not state we need
                        throw new IllegalStateException("pickle BUILD on unsupported object " + describe(target));
                    }
                }
                case 'p' -> memo.put(Long.parseLong(line()), peek()); // PUT
                case 'q' -> memo.put((long) u8(), peek()); // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'g' -> push(memoGet(Long.parseLong(line()))); // GET
                case 'h' -> push(memoGet(u8())); // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xFFFFFFFFL)); // LONG_BINGET
                case 'P' -> push(persistent(line())); // PERSID
                case 'Q' -> push(persistent(pop())); // BINPERSID
                case 0x82, 0x83, 0x84 -> throw new ForbiddenGlobalException("copyreg extension registry (EXT opcode)");
                default -> throw new IllegalStateException(String.format("unsupported pickle opcode 0x%02x at byte %d",
                        op, in.position() - 1));
            }
        }
    }

    private Callable resolve(String module, String name) {
        String key = module + "." + name;
        Callable c = allowed.get(key);
        if (c == null) {
            throw new ForbiddenGlobalException(key);
        }
        return c;
    }

    private Object persistent(Object pid) {
        if (persistentLoad == null) {
            throw new IllegalStateException("pickle has a persistent id but none are expected here");
        }
        return persistentLoad.apply(pid);
    }

    private static Callable callable(Object o) {
        if (o instanceof Callable c) {
            return c;
        }
        throw new IllegalStateException("pickle calls a non-callable " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalStateException("pickle expected a list or tuple, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new IllegalStateException("pickle expected a dict, found " + describe(o));
    }

    private static Map<Object, Object> dictOf(List<Object> kv, Map<Object, Object> into) {
        for (int i = 0; i + 1 < kv.size(); i += 2) {
            into.put(kv.get(i), kv.get(i + 1));
        }
        return into;
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    /** Python tuples: an unmodifiable list that may hold nulls. */
    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(new ArrayList<>(items));
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw new IllegalStateException("pickle memo has no entry " + key);
        }
        return memo.get(key);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new IllegalStateException("pickle stack underflow");
        }
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) {
            throw new IllegalStateException("pickle popped a MARK");
        }
        return o;
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw new IllegalStateException("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new IllegalStateException("pickle has no MARK to pop to");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private int u8() {
        return in.get() & 0xFF;
    }

    private byte[] bytes(int n) {
        if (n < 0 || n > in.remaining()) {
            throw new IllegalStateException("pickle is truncated");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = (char) u8();
            if (c == '\n') {
                return sb.toString();
            }
            sb.append(c);
        }
    }

    private static Object parseIntLine(String s) {
        return switch (s) {
            case "00" -> Boolean.FALSE;
            case "01" -> Boolean.TRUE;
            default -> normalize(new BigInteger(s));
        };
    }

    private Object longBytes(int n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        return normalize(new BigInteger(be));
    }

    private static Object normalize(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}

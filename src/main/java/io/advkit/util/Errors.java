package io.advkit.util;

/** Wording of low-level failures inside one-line error messages. */
public final class Errors {
    private Errors() {}

    /**
     * What went wrong, never "null": the exception's message, or its kind when it has none (an EOF while reading
     * a truncated file, a refused connection).
     */
    public static String describe(Throwable t) {
        String m = t.getMessage();
        String kind = switch (t.getClass().getSimpleName()) {
            case "EOFException", "BufferUnderflowException" -> "the data ends too early; truncated?";
            case "ConnectException" -> "connection refused";
            case "HttpTimeoutException", "HttpConnectTimeoutException" -> "timed out";
            case "UnknownHostException" -> "unknown host";
            default -> t.getClass().getSimpleName().replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
        };
        if (m == null || m.isBlank() || m.equals("null")) {
            return kind;
        }
        return t.getClass().getSimpleName().equals("UnknownHostException") ? "unknown host " + m : m;
    }
}

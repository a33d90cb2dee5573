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

    /**
     * One line from a native engine's failure: libtorch's messages carry a TorchScript traceback and C++ frames, with
     * the cause after the last "RuntimeError: "; the lines of the cause are joined up to the first stack frame.
     */
    public static String firstLine(Throwable t) {
        String m = describe(t);
        int at = m.lastIndexOf("RuntimeError: ");
        String rest = at >= 0 ? m.substring(at + "RuntimeError: ".length()) : m;
        StringBuilder line = new StringBuilder();
        for (String l : rest.split("\n")) {
            String s = l.strip();
            if (s.startsWith("Exception raised from") || s.startsWith("frame #") || s.startsWith("Traceback")) {
                break;
            }
            if (!s.isEmpty()) {
                line.append(line.isEmpty() ? "" : " ").append(s);
            }
        }
        return line.length() > 300 ? line.substring(0, 300) + "..." : line.toString();
    }
}

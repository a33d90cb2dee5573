package io.advkit.spark.storage;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path on a Hadoop file system: '/'-separated names, absolute when it starts with '/'. An absolute path prints
 * as its full URI ({@code hdfs://namenode:8020/runs/a}), so a command line rebuilt from it (a Spark executor's)
 * names the same file.
 */
final class HadoopPath implements Path {
    private final HadoopNioFileSystem fs;
    private final String path; // no trailing '/', no repeated '/'; "" is the empty path, "/" the root

    HadoopPath(HadoopNioFileSystem fs, String path) {
        this.fs = fs;
        this.path = clean(path);
    }

    private static String clean(String p) {
        String s = p.replaceAll("/+", "/");
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The path as Hadoop's FileSystem takes it. */
    org.apache.hadoop.fs.Path hadoop() {
        return new org.apache.hadoop.fs.Path(toAbsolutePath().toUri());
    }

    String pathString() {
        return path;
    }

    private List<String> names() {
        if (path.isEmpty() || path.equals("/")) {
            return List.of();
        }
        return Arrays.asList((path.startsWith("/") ? path.substring(1) : path).split("/"));
    }

    private HadoopPath of(String p) {
        return new HadoopPath(fs, p);
    }

    private static HadoopPath check(Path other) {
        if (!(other instanceof HadoopPath h)) {
            throw new ProviderMismatchException("not a path of a Hadoop file system: " + other);
        }
        return h;
    }

    @Override
    public HadoopNioFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return path.startsWith("/");
    }

    @Override
    public Path getRoot() {
        return isAbsolute() ? of("/") : null;
    }

    @Override
    public Path getFileName() {
        List<String> n = names();
        return n.isEmpty() ? null : of(n.get(n.size() - 1));
    }

    @Override
    public Path getParent() {
        List<String> n = names();
        if (n.isEmpty() || (n.size() == 1 && !isAbsolute())) {
            return null;
        }
        return of((isAbsolute() ? "/" : "") + String.join("/", n.subList(0, n.size() - 1)));
    }

    @Override
    public int getNameCount() {
        return names().size();
    }

    @Override
    public Path getName(int index) {
        return of(names().get(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
        return of(String.join("/", names().subList(beginIndex, endIndex)));
    }

    @Override
    public boolean startsWith(Path other) {
        if (!(other instanceof HadoopPath h) || !h.fs.equals(fs) || h.isAbsolute() != isAbsolute()) {
            return false;
        }
        List<String> a = names();
        List<String> b = h.names();
        return b.size() <= a.size() && a.subList(0, b.size()).equals(b);
    }

    @Override
    public boolean endsWith(Path other) {
        if (!(other instanceof HadoopPath h) || !h.fs.equals(fs) || (h.isAbsolute() && !h.equals(this))) {
            return false;
        }
        List<String> a = names();
        List<String> b = h.names();
        return b.size() <= a.size() && a.subList(a.size() - b.size(), a.size()).equals(b);
    }

    @Override
    public Path normalize() {
        List<String> out = new ArrayList<>();
        for (String n : names()) {
            if (n.equals(".")) {
                continue;
            }
            if (n.equals("..") && !out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                out.remove(out.size() - 1);
            } else if (!(n.equals("..") && isAbsolute())) { // the root's parent is the root
                out.add(n);
            }
        }
        return of((isAbsolute() ? "/" : "") + String.join("/", out));
    }

    @Override
    public Path resolve(Path other) {
        HadoopPath h = check(other);
        if (h.isAbsolute()) {
            return h;
        }
        if (h.path.isEmpty()) {
            return this;
        }
        return of(path.isEmpty() ? h.path : path + "/" + h.path);
    }

    @Override
    public Path resolve(String other) {
        return resolve(fs.getPath(other));
    }

    @Override
    public Path relativize(Path other) {
        HadoopPath h = check(other);
        if (h.isAbsolute() != isAbsolute()) {
            throw new IllegalArgumentException("one path is absolute, the other not: " + this + ", " + other);
        }
        List<String> a = names();
        List<String> b = h.names();
        int common = 0;
        while (common < a.size() && common < b.size() && a.get(common).equals(b.get(common))) {
            common++;
        }
        List<String> out = new ArrayList<>();
        for (int i = common; i < a.size(); i++) {
            out.add("..");
        }
        out.addAll(b.subList(common, b.size()));
        return of(String.join("/", out));
    }

    @Override
    public URI toUri() {
        try {
            URI base = fs.base();
            return new URI(base.getScheme(), base.getAuthority(), ((HadoopPath) toAbsolutePath()).path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public Path toAbsolutePath() {
        return isAbsolute() ? this : fs.workingDirectory().resolve(this);
    }

    @Override
    public Path toRealPath(LinkOption... options) throws java.io.IOException {
        Path p = toAbsolutePath().normalize();
        fs.provider().checkAccess(p);
        return p;
    }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
        throw new UnsupportedOperationException("watching a Hadoop file system");
    }

    @Override
    public int compareTo(Path other) {
        return toString().compareTo(check(other).toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HadoopPath h && h.fs.equals(fs) && h.path.equals(path);
    }

    @Override
    public int hashCode() {
        return fs.hashCode() * 31 + path.hashCode();
    }

    @Override
    public String toString() {
        return isAbsolute() ? toUri().toString() : path;
    }
}

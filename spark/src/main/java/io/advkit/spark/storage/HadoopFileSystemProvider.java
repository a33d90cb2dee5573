package io.advkit.spark.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Options;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.spi.FileSystemProvider;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hadoop's file systems behind {@link java.nio.file.Files}: with this provider installed (the advkit-spark jar lists
 * it in META-INF/services), {@code Path.of(URI.create("hdfs://namenode:8020/runs/a"))} is a path advkit's commands read
 * and write like a local one — image folders, archives, result files, the shards' PNGs. The semantics advkit relies
 * on hold: a missing file is {@link NoSuchFileException}, creating a file that exists with CREATE_NEW fails, and a
 * move with REPLACE_EXISTING is Hadoop's rename with overwrite, atomic on HDFS (a reader sees the old file or the
 * new one, never half of one). Settings come from Hadoop's configuration files on the class path and from
 * {@code $HADOOP_CONF_DIR}.
 *
 * <p>One subclass per scheme: the JDK finds a provider by its scheme.
 */
public abstract class HadoopFileSystemProvider extends FileSystemProvider {
    private final Map<URI, HadoopNioFileSystem> open = new ConcurrentHashMap<>();

    /** Hadoop's configuration: its defaults, the files on the class path, then those of $HADOOP_CONF_DIR. */
    static Configuration configuration() {
        Configuration conf = new Configuration();
        String dir = System.getenv("HADOOP_CONF_DIR");
        if (dir != null) {
            for (String f : List.of("core-site.xml", "hdfs-site.xml")) {
                java.nio.file.Path p = java.nio.file.Path.of(dir, f);
                if (Files.isRegularFile(p)) {
                    conf.addResource(new org.apache.hadoop.fs.Path(p.toUri()));
                }
            }
        }
        return conf;
    }

    private static URI base(URI uri) {
        return URI.create(uri.getScheme() + "://" + (uri.getRawAuthority() == null ? "" : uri.getRawAuthority()));
    }

    @Override
    public java.nio.file.FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        URI base = base(uri);
        if (open.containsKey(base)) {
            throw new FileSystemAlreadyExistsException(base.toString());
        }
        return connect(base);
    }

    private HadoopNioFileSystem connect(URI base) throws IOException {
        Configuration conf = configuration();
        HadoopNioFileSystem fs = new HadoopNioFileSystem(this, base, org.apache.hadoop.fs.FileSystem.get(base, conf),
                FileContext.getFileContext(base, conf));
        HadoopNioFileSystem prior = open.putIfAbsent(base, fs);
        return prior != null ? prior : fs;
    }

    @Override
    public java.nio.file.FileSystem getFileSystem(URI uri) {
        return fileSystem(uri);
    }

    private HadoopNioFileSystem fileSystem(URI uri) {
        URI base = base(uri);
        HadoopNioFileSystem fs = open.get(base);
        if (fs != null) {
            return fs;
        }
        try {
            return connect(base);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(base + ": cannot connect (" + e.getMessage() + ")", e);
        }
    }

    /** Connects on first use: a URI on the command line is all a user gives. */
    @Override
    public Path getPath(URI uri) {
        if (!getScheme().equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not a " + getScheme() + ":// URI: " + uri);
        }
        String p = uri.getPath();
        return fileSystem(uri).getPath(p == null || p.isEmpty() ? "/" : p);
    }

    private static HadoopPath hadoop(Path p) {
        if (!(p instanceof HadoopPath h)) {
            throw new ProviderMismatchException("not a path of a Hadoop file system: " + p);
        }
        return h;
    }

    private static FileStatus status(HadoopPath p) throws IOException {
        try {
            return p.getFileSystem().hadoop().getFileStatus(p.hadoop());
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(p.toString());
        }
    }

    private static boolean exists(HadoopPath p) throws IOException {
        return p.getFileSystem().hadoop().exists(p.hadoop());
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        HadoopPath p = hadoop(path);
        if (status(p).isDirectory()) {
            throw new IOException(p + ": is a directory");
        }
        return p.getFileSystem().hadoop().open(p.hadoop());
    }

    @Override
    public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> o = options.length == 0
                ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE) : Set.of(options);
        return create(hadoop(path), o);
    }

    private static FSDataOutputStream create(HadoopPath p, Set<? extends OpenOption> o) throws IOException {
        org.apache.hadoop.fs.FileSystem fs = p.getFileSystem().hadoop();
        // existence is asked of the namenode only where the answer changes what happens: a PNG's temporary file
        // (CREATE_NEW) and its contents (CREATE, TRUNCATE_EXISTING) cost no extra round trip
        if (o.contains(StandardOpenOption.APPEND) && exists(p)) { // job journals: HDFS appends; object stores do not
            try {
                return fs.append(p.hadoop());
            } catch (UnsupportedOperationException e) {
                throw new IOException(p.getFileSystem().base() + " cannot append to a file (" + e.getMessage() + ")");
            }
        }
        if (o.contains(StandardOpenOption.CREATE_NEW)) {
            try {
                return fs.create(p.hadoop(), false);
            } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
                throw new FileAlreadyExistsException(p.toString());
            }
        }
        if (!o.contains(StandardOpenOption.CREATE) && !exists(p)) {
            throw new NoSuchFileException(p.toString());
        }
        return fs.create(p.hadoop(), true);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        HadoopPath p = hadoop(path);
        if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
            return new HadoopWriteChannel(create(p, options));
        }
        long size = status(p).getLen();
        return new HadoopReadChannel(p.getFileSystem().hadoop().open(p.hadoop()), size);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
        HadoopPath d = hadoop(dir);
        if (!status(d).isDirectory()) {
            throw new NotDirectoryException(d.toString());
        }
        List<Path> children = new java.util.ArrayList<>();
        for (FileStatus s : d.getFileSystem().hadoop().listStatus(d.hadoop())) {
            Path c = d.resolve(s.getPath().getName());
            if (filter.accept(c)) {
                children.add(c);
            }
        }
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                return children.iterator();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        HadoopPath d = hadoop(dir);
        if (exists(d)) {
            throw new FileAlreadyExistsException(d.toString());
        }
        Path parent = d.toAbsolutePath().getParent();
        if (parent != null && !exists((HadoopPath) parent)) {
            throw new NoSuchFileException(parent.toString());
        }
        if (!d.getFileSystem().hadoop().mkdirs(d.hadoop())) {
            throw new IOException(d + ": cannot create the directory");
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        HadoopPath p = hadoop(path);
        FileStatus s = status(p);
        if (s.isDirectory() && p.getFileSystem().hadoop().listStatus(p.hadoop()).length > 0) {
            throw new DirectoryNotEmptyException(p.toString());
        }
        if (!p.getFileSystem().hadoop().delete(p.hadoop(), false)) {
            throw new IOException(p + ": cannot delete");
        }
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        HadoopPath s = hadoop(source);
        HadoopPath t = hadoop(target);
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        if (!replace && exists(t)) {
            throw new FileAlreadyExistsException(t.toString());
        }
        if (status(s).isDirectory()) {
            if (!exists(t)) {
                createDirectory(t);
            }
            return;
        }
        try (InputStream in = newInputStream(s); OutputStream out = create(t, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE))) {
            in.transferTo(out);
        }
    }

    /** Hadoop's rename; with REPLACE_EXISTING its overwriting rename, atomic on HDFS. */
    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        HadoopPath s = hadoop(source);
        HadoopPath t = hadoop(target);
        if (!s.getFileSystem().equals(t.getFileSystem())) {
            copy(s, t, options);
            delete(s);
            return;
        }
        boolean replace = Arrays.asList(options).contains(StandardCopyOption.REPLACE_EXISTING);
        try {
            s.getFileSystem().context().rename(s.hadoop(), t.hadoop(), replace ? Options.Rename.OVERWRITE : Options.Rename.NONE);
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(t.toString());
        } catch (FileNotFoundException e) {
            throw new NoSuchFileException(s.toString());
        }
    }

    @Override
    public boolean isSameFile(Path path, Path path2) {
        return path.toAbsolutePath().normalize().equals(path2.toAbsolutePath().normalize());
    }

    @Override
    public boolean isHidden(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path path) {
        throw new UnsupportedOperationException("file stores of a Hadoop file system");
    }

    /** Existence only: Hadoop checks permissions when a file is used. */
    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        status(hadoop(path));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        if (type != BasicFileAttributeView.class) {
            return null;
        }
        HadoopPath p = hadoop(path);
        return (V) new BasicFileAttributeView() {
            @Override
            public String name() {
                return "basic";
            }

            @Override
            public BasicFileAttributes readAttributes() throws IOException {
                return new HadoopAttributes(status(p));
            }

            @Override
            public void setTimes(FileTime modified, FileTime access, FileTime create) throws IOException {
                p.getFileSystem().hadoop().setTimes(p.hadoop(), modified == null ? -1 : modified.toMillis(), access == null ? -1 : access.toMillis());
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
        if (!type.isAssignableFrom(HadoopAttributes.class)) {
            throw new UnsupportedOperationException(type.getSimpleName() + " of a Hadoop file system");
        }
        return (A) new HadoopAttributes(status(hadoop(path)));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
        String names = attributes.startsWith("basic:") ? attributes.substring(6) : attributes;
        BasicFileAttributes a = readAttributes(path, BasicFileAttributes.class);
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("size", a.size());
        all.put("lastModifiedTime", a.lastModifiedTime());
        all.put("lastAccessTime", a.lastAccessTime());
        all.put("creationTime", a.creationTime());
        all.put("isRegularFile", a.isRegularFile());
        all.put("isDirectory", a.isDirectory());
        all.put("isSymbolicLink", a.isSymbolicLink());
        all.put("isOther", a.isOther());
        all.put("fileKey", a.fileKey());
        if (names.equals("*")) {
            return all;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String n : names.split(",")) {
            if (!all.containsKey(n)) {
                throw new IllegalArgumentException("no attribute " + n);
            }
            out.put(n, all.get(n));
        }
        return out;
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
        throw new UnsupportedOperationException("setting attributes on a Hadoop file system");
    }
}

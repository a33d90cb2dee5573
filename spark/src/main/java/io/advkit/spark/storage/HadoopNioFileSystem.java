package io.advkit.spark.storage;

import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;

import java.net.URI;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.List;
import java.util.Set;

/**
 * One Hadoop file system (a scheme and an authority: one HDFS namenode, one S3 bucket) as a {@link java.nio.file.FileSystem}.
 * Hadoop's own client does the work; its instances are cached and shared by Hadoop, so closing this one is a no-op.
 */
final class HadoopNioFileSystem extends java.nio.file.FileSystem {
    private final HadoopFileSystemProvider provider;
    private final URI base; // scheme://authority
    private final FileSystem hadoop;
    private final FileContext context;

    HadoopNioFileSystem(HadoopFileSystemProvider provider, URI base, FileSystem hadoop, FileContext context) {
        this.provider = provider;
        this.base = base;
        this.hadoop = hadoop;
        this.context = context;
    }

    URI base() {
        return base;
    }

    FileSystem hadoop() {
        return hadoop;
    }

    FileContext context() {
        return context;
    }

    /** Where relative paths start: Hadoop's working directory (on HDFS, /user/NAME). */
    Path workingDirectory() {
        return new HadoopPath(this, hadoop.getWorkingDirectory().toUri().getPath());
    }

    @Override
    public HadoopFileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        // Hadoop caches FileSystem instances per scheme, authority and user: closing one would close it for everyone
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        return List.of(new HadoopPath(this, "/"));
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return List.of();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return Set.of("basic");
    }

    @Override
    public HadoopPath getPath(String first, String... more) {
        StringBuilder s = new StringBuilder(first);
        for (String m : more) {
            if (!m.isEmpty()) {
                s.append('/').append(m);
            }
        }
        return new HadoopPath(this, s.toString());
    }

    /** Glob and regex patterns as the default file system reads them, matched against the path's string. */
    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher local = FileSystems.getDefault().getPathMatcher(syntaxAndPattern);
        return p -> local.matches(Path.of(p instanceof HadoopPath h ? h.pathString() : p.toString()));
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        throw new UnsupportedOperationException("user principals of a Hadoop file system");
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("watching a Hadoop file system");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HadoopNioFileSystem f && f.base.equals(base);
    }

    @Override
    public int hashCode() {
        return base.hashCode();
    }
}

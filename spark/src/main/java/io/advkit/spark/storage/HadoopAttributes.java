package io.advkit.spark.storage;

import org.apache.hadoop.fs.FileStatus;

import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/** A file's attributes from Hadoop's status. */
record HadoopAttributes(FileStatus s) implements BasicFileAttributes {
    @Override
    public FileTime lastModifiedTime() {
        return FileTime.fromMillis(s.getModificationTime());
    }

    @Override
    public FileTime lastAccessTime() {
        return FileTime.fromMillis(s.getAccessTime());
    }

    @Override
    public FileTime creationTime() {
        return lastModifiedTime();
    }

    @Override
    public boolean isRegularFile() {
        return s.isFile();
    }

    @Override
    public boolean isDirectory() {
        return s.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return false;
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public long size() {
        return s.getLen();
    }

    @Override
    public Object fileKey() {
        return null;
    }
}

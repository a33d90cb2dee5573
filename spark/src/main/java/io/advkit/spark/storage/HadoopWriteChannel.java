package io.advkit.spark.storage;

import org.apache.hadoop.fs.FSDataOutputStream;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.SeekableByteChannel;

/** Sequential writing: what Files.write and temporary files need. */
final class HadoopWriteChannel implements SeekableByteChannel {
    private final FSDataOutputStream out;
    private boolean open = true;

    HadoopWriteChannel(FSDataOutputStream out) {
        this.out = out;
    }

    @Override
    public int read(ByteBuffer dst) {
        throw new NonReadableChannelException();
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int n = src.remaining();
        byte[] buf = new byte[n];
        src.get(buf);
        out.write(buf);
        return n;
    }

    @Override
    public long position() {
        return out.getPos();
    }

    @Override
    public SeekableByteChannel position(long p) {
        if (p != out.getPos()) {
            throw new UnsupportedOperationException("seeking while writing to a Hadoop file system");
        }
        return this;
    }

    @Override
    public long size() {
        return out.getPos();
    }

    @Override
    public SeekableByteChannel truncate(long s) {
        throw new UnsupportedOperationException("truncating a file on a Hadoop file system");
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() throws IOException {
        open = false;
        out.close();
    }
}

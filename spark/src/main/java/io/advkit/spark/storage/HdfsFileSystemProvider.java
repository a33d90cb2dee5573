package io.advkit.spark.storage;

/** hdfs:// paths through Hadoop's client (see {@link HadoopFileSystemProvider}). */
public final class HdfsFileSystemProvider extends HadoopFileSystemProvider {
    @Override
    public String getScheme() {
        return "hdfs";
    }
}

package io.advkit.spark.storage;

/** webhdfs:// paths through Hadoop's client (see {@link HadoopFileSystemProvider}). */
public final class WebHdfsFileSystemProvider extends HadoopFileSystemProvider {
    @Override
    public String getScheme() {
        return "webhdfs";
    }
}

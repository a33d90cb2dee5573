package io.advkit.spark.storage;

/** s3a:// paths through Hadoop's client (see {@link HadoopFileSystemProvider}); needs hadoop-aws and the AWS SDK on the class path. */
public final class S3aFileSystemProvider extends HadoopFileSystemProvider {
    @Override
    public String getScheme() {
        return "s3a";
    }
}

package io.advkit.util;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.regex.Pattern;

/**
 * Paths as the command line gives them: a local file, a {@code file:} URI, or a URI of another file system
 * ({@code hdfs://namenode:8020/data}, {@code s3a://bucket/run}) served by an installed {@link java.nio.file.spi.FileSystemProvider}
 * — the advkit-spark module installs Hadoop's. Everything else in advkit reads and writes through {@link java.nio.file.Files},
 * so a path parsed here works wherever a local one does (except model files, which are opened as zip files and must be local).
 */
public final class StoragePaths {
    private static final Pattern URI_FORM = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    private StoragePaths() {}

    /** Whether {@code s} is written as a URI with a scheme (scheme://...). */
    public static boolean isUri(String s) {
        return URI_FORM.matcher(s).matches();
    }

    public static Path parse(String s) {
        if (!isUri(s)) {
            return Path.of(s);
        }
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw new UserError(s + ": not a valid URI (" + e.getReason() + ")");
        }
        try {
            return Path.of(u);
        } catch (FileSystemNotFoundException | ProviderNotFoundException e) {
            throw new UserError(s + ": no file system for " + u.getScheme() + ":// here; Hadoop's (hdfs://, s3a://) comes with the "
                    + "advkit-spark module, which bin/advkit adds for such paths once built (mvn -f spark/pom.xml package)");
        } catch (IllegalArgumentException e) {
            throw new UserError(s + ": " + e.getMessage());
        }
    }
}

package io.advkit.model;

import io.advkit.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Verifies weight files against the zoo's checksums ("sha1:…", "sha256:…", "sha256-prefix:…"). */
public final class Checksums {
    private Checksums() {}

    public static String digest(Path file, String algorithm) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + io.advkit.util.Errors.describe(e) + ")");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the file matches; an empty checksum matches anything. */
    public static boolean matches(Path file, String checksum) {
        if (checksum == null || checksum.isEmpty()) {
            return true;
        }
        int colon = checksum.indexOf(':');
        String kind = checksum.substring(0, colon);
        String want = checksum.substring(colon + 1).toLowerCase(java.util.Locale.ROOT);
        return switch (kind) {
            case "sha1" -> digest(file, "SHA-1").equals(want);
            case "sha256" -> digest(file, "SHA-256").equals(want);
            case "sha256-prefix" -> digest(file, "SHA-256").startsWith(want);
            default -> throw new IllegalStateException("unknown checksum kind " + kind);
        };
    }
}

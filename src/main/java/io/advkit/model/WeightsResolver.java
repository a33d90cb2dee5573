package io.advkit.model;

import io.advkit.util.Progress;
import io.advkit.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Finds the weight file of a zoo model: in the folders the user named, then where the publisher's own
 * tool caches it (pytorchcv: {@code ~/.torch/models}, torch.hub: {@code $TORCH_HOME/hub/checkpoints}),
 * so existing downloads are reused; otherwise downloads it there and verifies its checksum first.
 * A mirror ({@code ADVKIT_DOWNLOAD_MIRROR=http://host:port}) replaces the scheme and host of every URL.
 */
public final class WeightsResolver {
    private final Path home;
    private final List<Path> searchDirs;
    private final String mirror;
    private final boolean quiet;

    public WeightsResolver(Path home, List<Path> searchDirs, String mirror, boolean quiet) {
        this.home = home;
        this.searchDirs = searchDirs;
        this.mirror = mirror;
        this.quiet = quiet;
    }

    /** The resolver the CLI uses: the user's home, and the mirror and weights folders from the environment if set. */
    public static WeightsResolver standard(List<Path> searchDirs, boolean quiet) {
        return standard(searchDirs, quiet, System.getenv());
    }

    /**
     * As {@link #standard(List, boolean)} with the given environment: {@code ADVKIT_WEIGHTS_DIR} (folders separated
     * by the platform's path separator) is searched after {@code searchDirs}, {@code ADVKIT_DOWNLOAD_MIRROR}
     * replaces the download host.
     */
    public static WeightsResolver standard(List<Path> searchDirs, boolean quiet, java.util.Map<String, String> env) {
        List<Path> dirs = new java.util.ArrayList<>(searchDirs);
        String fromEnv = env.get("ADVKIT_WEIGHTS_DIR");
        if (fromEnv != null) {
            for (String d : fromEnv.split(java.io.File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d.strip()));
                }
            }
        }
        return new WeightsResolver(Path.of(System.getProperty("user.home")), dirs, env.get("ADVKIT_DOWNLOAD_MIRROR"), quiet);
    }

    /** The folders searched before the caches, in order. */
    public List<Path> searchDirs() {
        return List.copyOf(searchDirs);
    }

    /**
     * Where a verified copy of the entry's weights already is, without downloading: a weights folder, the
     * publisher's cache, or (for advkit's own models) the jar. Empty when using the model needs a download.
     */
    public java.util.Optional<String> offlineSource(ZooEntry e) {
        for (Path dir : searchDirs) {
            Path p = dir.resolve(e.fileName());
            if (Files.isRegularFile(p) && Checksums.matches(p, e.checksum())) {
                return java.util.Optional.of(p.toString());
            }
        }
        Path cached = cachePath(e);
        if (Files.isRegularFile(cached) && Checksums.matches(cached, e.checksum())) {
            return java.util.Optional.of(cached.toString());
        }
        if (e.url().startsWith("classpath:") && WeightsResolver.class.getResource(e.url().substring("classpath:".length())) != null) {
            return java.util.Optional.of("inside advkit");
        }
        return java.util.Optional.empty();
    }

    /** The cache path for an entry, with "~" and $TORCH_HOME resolved. */
    public Path cachePath(ZooEntry e) {
        String c = e.cacheFile();
        String torchHome = System.getenv("TORCH_HOME");
        if (c.startsWith("~/.cache/torch/") && torchHome != null && home.equals(Path.of(System.getProperty("user.home")))) {
            return Path.of(torchHome).resolve(c.substring("~/.cache/torch/".length()));
        }
        return c.startsWith("~/") ? home.resolve(c.substring(2)) : Path.of(c);
    }

    public Path resolve(ZooEntry e) {
        for (Path dir : searchDirs) {
            Path p = dir.resolve(e.fileName());
            if (Files.isRegularFile(p)) {
                if (!Checksums.matches(p, e.checksum())) {
                    throw new UserError(p + ": checksum does not match " + e.checksum() + " for model " + e.name());
                }
                return p;
            }
        }
        Path cached = cachePath(e);
        if (Files.isRegularFile(cached) && Checksums.matches(cached, e.checksum())) {
            return cached;
        }
        if (e.url().startsWith("classpath:")) {
            return extractResource(e, cached);
        }
        download(e, cached);
        return cached;
    }

    private Path extractResource(ZooEntry e, Path target) {
        try (InputStream in = WeightsResolver.class.getResourceAsStream(e.url().substring("classpath:".length()))) {
            if (in == null) {
                throw new UserError("model " + e.name() + ": bundled weights " + e.url() + " are missing from the jar");
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".advkit-", ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException ex) {
            throw new UserError(target + ": cannot write (" + io.advkit.util.Errors.describe(ex) + ")");
        }
    }

    String effectiveUrl(String url) {
        if (mirror == null || mirror.isBlank()) {
            return url;
        }
        URI u = URI.create(url);
        String m = mirror.endsWith("/") ? mirror.substring(0, mirror.length() - 1) : mirror;
        return m + u.getRawPath();
    }

    private void download(ZooEntry e, Path target) {
        String url = effectiveUrl(e.url());
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".advkit-download-", ".part");
            HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            HttpResponse<InputStream> resp = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() != 200) {
                resp.body().close();
                throw new IOException("HTTP " + resp.statusCode());
            }
            long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            try (InputStream in = resp.body(); OutputStream out = Files.newOutputStream(tmp);
                 Progress bar = Progress.bytes("download " + e.fileName(), length, quiet)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    bar.step(n);
                }
            }
            if (url.endsWith(".zip")) { // pytorchcv ships each .pth inside a zip
                Path inner = Files.createTempFile(dir, ".advkit-unzip-", ".part");
                unzipSingle(tmp, e.fileName(), inner);
                Files.move(inner, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Checksums.matches(tmp, e.checksum())) {
                throw new UserError("downloaded weights for " + e.name() + " from " + url + " fail the checksum " + e.checksum()
                        + "; the file was discarded");
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException | InterruptedException ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw UserError.invalid("weights", "cannot download weights for " + e.name() + " from " + url + " (" + io.advkit.util.Errors.describe(ex)
                    + "); give a local copy as NAME=FILE or in a weights folder");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray .part file is harmless and named as such
                }
            }
        }
    }

    private static void unzipSingle(Path zip, String name, Path out) throws IOException {
        try (ZipInputStream z = new ZipInputStream(Files.newInputStream(zip))) {
            ZipEntry ze;
            while ((ze = z.getNextEntry()) != null) {
                if (Path.of(ze.getName()).getFileName().toString().equals(name)) {
                    Files.copy(z, out, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
        }
        throw new IOException("the zip holds no " + name);
    }
}

package io.advkit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.advkit.Shared;
import io.advkit.checkpoint.StateDict;
import io.advkit.util.UserError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads go to the publishers' cache paths and are verified; tested against a server on 127.0.0.1. */
class WeightsResolverTest {
    @TempDir
    Path home;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] body = files.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body);
                }
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private WeightsResolver resolver() {
        return new WeightsResolver(home, List.of(), "http://127.0.0.1:" + server.getAddress().getPort(), true);
    }

    @Test
    void pytorchcvZipIsDownloadedUnpackedVerifiedAndCachedWherePytorchcvLooks() throws IOException {
        Path pth = home.resolve("src.pth");
        try (ZooModel m = ZooModel.create("resnet20_cifar10", "resnet20", 10, Normalization.named("pytorchcv-cifar"), 3)) {
            m.stateDict().save(pth);
        }
        String sha1 = Checksums.digest(pth, "SHA-1");
        String file = "resnet20_cifar10-0597-" + sha1.substring(0, 8) + ".pth";
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            z.putNextEntry(new ZipEntry(file));
            z.write(Files.readAllBytes(pth));
        }
        files.put("/osmr/imgclsmob/releases/download/v0.0.163/" + file + ".zip", zip.toByteArray());
        ZooEntry e = new ZooEntry("resnet20_cifar10", "resnet20", 10, "pytorchcv-cifar", 272474, "pytorchcv",
                "https://github.com/osmr/imgclsmob/releases/download/v0.0.163/" + file + ".zip", "sha1:" + sha1,
                "~/.torch/models/" + file, "test");

        Path got = resolver().resolve(e);
        assertThat(got).isEqualTo(home.resolve(".torch/models/" + file));
        assertThat(Files.readAllBytes(got)).isEqualTo(Files.readAllBytes(pth));
        assertThat(resolver().resolve(e)).isEqualTo(got); // second time from the cache
        assertThat(requests.get()).isEqualTo(1);
        assertThat(StateDict.load(got).keys()).contains("features.init_block.conv.weight");
    }

    @Test
    void realChenyaofoWeightsThroughTheZooEntry() throws IOException {
        Path real = Shared.require("weights/cifar100/cifar100_resnet56-f2eff4c8.pt");
        files.put("/chenyaofo/pytorch-cifar-models/releases/download/resnet/cifar100_resnet56-f2eff4c8.pt", Files.readAllBytes(real));
        Path got = resolver().resolve(ModelZoo.get("cifar100_resnet56"));
        assertThat(got).isEqualTo(home.resolve(".cache/torch/hub/checkpoints/cifar100_resnet56-f2eff4c8.pt"));
        try (ZooModel m = new ModelLoader(resolver()).loadZoo("cifar100_resnet56")) {
            assertThat(m.numClasses()).isEqualTo(100);
        }
    }

    @Test
    void aFileFailingItsChecksumIsDiscarded() {
        files.put("/chenyaofo/pytorch-cifar-models/releases/download/resnet/cifar100_resnet56-f2eff4c8.pt", new byte[] {1, 2, 3});
        assertThatThrownBy(() -> resolver().resolve(ModelZoo.get("cifar100_resnet56")))
                .isInstanceOf(UserError.class).hasMessageContaining("checksum");
        Path dir = home.resolve(".cache/torch/hub/checkpoints");
        assertThat(dir.resolve("cifar100_resnet56-f2eff4c8.pt")).doesNotExist();
        assertThat(dir.toFile().list()).isEmpty(); // no .part left behind
    }

    @Test
    void unreachableWeightsSayWhatToDo() {
        assertThatThrownBy(() -> resolver().resolve(ModelZoo.get("akamaster_resnet56")))
                .isInstanceOf(UserError.class).hasMessageContaining("HTTP 404").hasMessageContaining("weights folder");
    }

    /** ADVKIT_WEIGHTS_DIR names weights folders once for every command, after the ones given as options. */
    @Test
    void weightsFoldersFromTheEnvironment() throws IOException {
        Path dir = Shared.require("weights/cifar100");
        Path empty = Files.createDirectories(home.resolve("empty"));
        WeightsResolver r = WeightsResolver.standard(List.of(empty), true, Map.of("ADVKIT_WEIGHTS_DIR", home.resolve("nowhere") + java.io.File.pathSeparator + dir));
        assertThat(r.searchDirs()).containsExactly(empty, home.resolve("nowhere"), dir);
        assertThat(r.resolve(ModelZoo.get("cifar100_resnet20"))).isEqualTo(dir.resolve("cifar100_resnet20-23dac2f1.pt"));
        assertThat(r.offlineSource(ModelZoo.get("cifar100_resnet20"))).contains(dir.resolve("cifar100_resnet20-23dac2f1.pt").toString());
        assertThat(requests.get()).isZero();
    }
}

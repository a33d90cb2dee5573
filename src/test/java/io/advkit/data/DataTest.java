package io.advkit.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.advkit.Shared;
import io.advkit.util.UserError;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir
    Path tmp;

    static Image randomImage(Random r, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        r.nextBytes(rgb);
        return new Image(w, h, rgb);
    }

    @Test
    void pngWriteThenReadGivesIdenticalPixels() {
        Random r = new Random(1);
        for (int i = 0; i < 20; i++) {
            Image img = randomImage(r, 32, 32);
            Path f = tmp.resolve(i + "_0.png");
            ImageCodec.writePng(img, f);
            assertThat(ImageCodec.read(f).pixels()).isEqualTo(img.pixels());
        }
        try (var s = Files.list(tmp)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void grayscalePngsRoundTripAsOneChannel() {
        Random r = new Random(4);
        byte[] px = new byte[6 * 5];
        r.nextBytes(px);
        Image gray = new Image(6, 5, 1, px);
        Path f = tmp.resolve("0_0.png");
        ImageCodec.writePng(gray, f);
        Image back = ImageCodec.read(f);
        assertThat(back.channels()).isEqualTo(1);
        assertThat(back.pixels()).isEqualTo(px);
        assertThat(Preprocessed.centerCrop(back, 3, "x").pixels()).hasSize(9);
        assertThat(Preprocessed.resizeShorterSide(back, 10).channels()).isEqualTo(1);
    }

    /** An IDX pair as MNIST ships it: big-endian magic and dimensions, then unsigned bytes. */
    private static void writeIdx(Path images, Path labels, int n, int h, int w, byte[] px, byte[] lb, boolean gz) throws IOException {
        try (var out = new java.io.DataOutputStream(gz ? new GZIPOutputStream(Files.newOutputStream(images)) : Files.newOutputStream(images))) {
            out.writeInt(0x803);
            out.writeInt(n);
            out.writeInt(h);
            out.writeInt(w);
            out.write(px);
        }
        try (var out = new java.io.DataOutputStream(gz ? new GZIPOutputStream(Files.newOutputStream(labels)) : Files.newOutputStream(labels))) {
            out.writeInt(0x801);
            out.writeInt(lb.length);
            out.write(lb);
        }
    }

    @Test
    void idxFilesReadAsGrayscaleSplits() throws IOException {
        Random r = new Random(6);
        byte[] px = new byte[3 * 4 * 5];
        r.nextBytes(px);
        Path dir = Files.createDirectories(tmp.resolve("mnist"));
        writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 3, 4, 5, px, new byte[] {7, 0, (byte) 200}, true);
        writeIdx(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-labels-idx1-ubyte"), 1, 4, 5, new byte[20], new byte[] {1}, false);
        assertThatThrownBy(() -> Datasets.open(dir, null, null)).isInstanceOf(UserError.class).hasMessageContaining("choose one");
        assertThat(Datasets.hasSplit(dir, "train")).isTrue();
        assertThat(Datasets.hasSplit(dir, "test")).isTrue();
        ImageSet train = Datasets.open(dir, "train", null);
        assertThat(train.size()).isEqualTo(3);
        assertThat(train.label(2)).isEqualTo(200); // unsigned
        assertThat(train.name(0)).isEqualTo("7_0.png");
        Image second = train.image(1);
        assertThat(second.channels()).isEqualTo(1);
        assertThat(second.width()).isEqualTo(5);
        assertThat(second.height()).isEqualTo(4);
        assertThat(second.pixels()).isEqualTo(java.util.Arrays.copyOfRange(px, 20, 40));
        assertThat(Datasets.open(dir, "test", null).size()).isEqualTo(1);
        // a truncated images file, and labels that do not match the images, are one clear error each
        byte[] whole = Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte"));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), java.util.Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> Datasets.open(dir, "test", null)).isInstanceOf(UserError.class).hasMessageContaining("truncated");
        writeIdx(dir.resolve("t10k-images-idx3-ubyte"), dir.resolve("t10k-labels-idx1-ubyte"), 1, 4, 5, new byte[20], new byte[] {1, 2}, false);
        assertThatThrownBy(() -> Datasets.open(dir, "test", null)).isInstanceOf(UserError.class).hasMessageContaining("2 labels for 1 images");
    }

    @Test
    void homeworkFolderReadsLabelsFromNames() {
        ImageFolder f = ImageFolder.open(Shared.require("data/cifar-100_eval"),
                ClassNames.read(Shared.require("data/cifar100_fine_label_names.txt")));
        assertThat(f.size()).isEqualTo(500);
        assertThat(f.name(0)).isEqualTo("0_0.png");
        assertThat(f.label(499)).isEqualTo(99);
        assertThat(f.classNames().get(0)).isEqualTo("apple");
        assertThat(f.classNames().get(99)).isEqualTo("worm");
        for (int i = 0; i < f.size(); i++) {
            assertThat(f.name(i)).startsWith(f.label(i) + "_");
        }
        assertThat(f.image(0).width()).isEqualTo(32);
    }

    @Test
    void classSubfoldersLabelAlphabeticallyOrByNamesFile() throws IOException {
        Random r = new Random(2);
        for (String cls : List.of("dog", "cat", "bird")) {
            for (int k = 0; k < 3; k++) {
                ImageCodec.writePng(randomImage(r, 8, 8), tmp.resolve("train").resolve(cls).resolve(k + ".png"));
            }
        }
        ImageFolder alpha = ImageFolder.open(tmp.resolve("train"), List.of());
        assertThat(alpha.classNames()).containsExactly("bird", "cat", "dog");
        assertThat(alpha.name(0)).isEqualTo("bird/0.png");
        assertThat(alpha.label(8)).isEqualTo(2);
        ImageFolder named = ImageFolder.open(tmp.resolve("train"), List.of("dog", "cat", "bird"));
        assertThat(named.name(0)).isEqualTo("dog/0.png");
        assertThat(named.label(0)).isZero();
        assertThatThrownBy(() -> ImageFolder.open(tmp.resolve("train"), List.of("dog", "cat")))
                .isInstanceOf(UserError.class).hasMessageContaining("'bird' is not in the names file");
        // ImageNet's synset list: "WNID name, other names" lines name the folders by their first word
        ImageFolder synsets = ImageFolder.open(tmp.resolve("train"), List.of("dog canis familiaris", "cat", "bird\tsome birds", "birdy"));
        assertThat(synsets.name(0)).isEqualTo("dog/0.png");
        assertThat(synsets.label(8)).isEqualTo(2);
        // a folder holding splits asks for one
        ImageCodec.writePng(randomImage(r, 8, 8), tmp.resolve("test/cat/0.png"));
        assertThatThrownBy(() -> Datasets.open(tmp, null, null)).isInstanceOf(UserError.class).hasMessageContaining("choose one");
        assertThat(Datasets.open(tmp, "test", null).size()).isEqualTo(1);
    }

    /** Writes CIFAR records: label byte(s) then 1024 R, 1024 G, 1024 B. */
    private static void writeCifar(Path file, int labelBytes, int[][] labels, Image[] images) throws IOException {
        try (OutputStream os = Files.newOutputStream(file)) {
            for (int i = 0; i < images.length; i++) {
                for (int b = 0; b < labelBytes; b++) {
                    os.write(labels[i][b]);
                }
                for (int c = 0; c < 3; c++) {
                    for (int p = 0; p < 1024; p++) {
                        os.write(images[i].pixels()[3 * p + c]);
                    }
                }
            }
        }
    }

    @Test
    void cifarBinaryFormatsReadExactly() throws IOException {
        Random r = new Random(3);
        Image[] imgs = {randomImage(r, 32, 32), randomImage(r, 32, 32), randomImage(r, 32, 32)};
        Path c10 = Files.createDirectory(tmp.resolve("c10"));
        writeCifar(c10.resolve("data_batch_1.bin"), 1, new int[][] {{7}, {1}}, new Image[] {imgs[0], imgs[1]});
        writeCifar(c10.resolve("data_batch_2.bin"), 1, new int[][] {{9}}, new Image[] {imgs[2]});
        writeCifar(c10.resolve("test_batch.bin"), 1, new int[][] {{4}}, new Image[] {imgs[1]});
        try (CifarBinary train = (CifarBinary) Datasets.open(c10, "train", null)) {
            assertThat(train.size()).isEqualTo(3);
            assertThat(train.label(0)).isEqualTo(7);
            assertThat(train.label(2)).isEqualTo(9);
            assertThat(train.name(2)).isEqualTo("9_2.png");
            for (int i = 0; i < 3; i++) {
                assertThat(train.image(i).pixels()).isEqualTo(imgs[i].pixels());
            }
        }
        try (CifarBinary test = CifarBinary.open(c10, "test")) {
            assertThat(test.size()).isEqualTo(1);
            assertThat(test.label(0)).isEqualTo(4);
        }
        Path c100 = Files.createDirectory(tmp.resolve("c100"));
        writeCifar(c100.resolve("test.bin"), 2, new int[][] {{11, 42}, {3, 99}}, new Image[] {imgs[2], imgs[0]});
        Files.writeString(c100.resolve("fine_label_names.txt"), String.join("\n", java.util.Collections.nCopies(100, "x")));
        try (CifarBinary test = (CifarBinary) Datasets.open(c100.resolve("test.bin"), null, null)) {
            assertThat(test.label(0)).isEqualTo(42); // the fine label, not the coarse one
            assertThat(test.label(1)).isEqualTo(99);
            assertThat(test.image(1).pixels()).isEqualTo(imgs[0].pixels());
            assertThat(test.classNames()).hasSize(100);
        }
        Path broken = tmp.resolve("broken/test_batch.bin");
        Files.createDirectories(broken.getParent());
        Files.write(broken, new byte[3000]);
        assertThatThrownBy(() -> CifarBinary.open(broken, null)).isInstanceOf(UserError.class).hasMessageContaining("whole number");
    }

    @Test
    void tarGzIsReadDirectlyOrUnpackedOnceIntoTheCache() throws IOException {
        Random r = new Random(4);
        Path tgz = tmp.resolve("set.tar.gz");
        Image[] imgs = new Image[4];
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(Files.newOutputStream(tgz)))) {
            String[] names = {"set/train/cat/1.png", "set/train/cat/0.png", "set/train/ant/5.png", "set/test/ant/0.png"};
            for (int i = 0; i < names.length; i++) {
                imgs[i] = randomImage(r, 4, 4);
                byte[] png = ImageCodec.encodePng(imgs[i]);
                TarArchiveEntry e = new TarArchiveEntry(names[i]);
                e.setSize(png.length);
                tar.putArchiveEntry(e);
                tar.write(png);
                tar.closeArchiveEntry();
            }
        }
        DecodedImages direct = TarGzArchive.readImages(tgz, "set/train", List.of());
        assertThat(direct.size()).isEqualTo(3);
        assertThat(direct.name(0)).isEqualTo("ant/5.png");
        assertThat(direct.image(0).pixels()).isEqualTo(imgs[2].pixels());
        assertThat(direct.name(1)).isEqualTo("cat/0.png");
        assertThat(direct.image(1).pixels()).isEqualTo(imgs[1].pixels());
        assertThat(direct.label(2)).isEqualTo(1);

        Path cache = tmp.resolve("cache");
        Path unpacked = TarGzArchive.unpackToCache(tgz, cache);
        Path marker = unpacked.resolve("set/train/cat/marker.txt");
        Files.writeString(marker, "kept"); // a second call must reuse the folder, not unpack again
        assertThat(TarGzArchive.unpackToCache(tgz, cache)).isEqualTo(unpacked);
        assertThat(marker).exists();
        // a copy, a re-download or a re-mounted share gets a new modification time: still the same cache
        Files.setLastModifiedTime(tgz, java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(tgz).toMillis() + 86_400_000L));
        assertThat(TarGzArchive.unpackToCache(tgz, cache)).isEqualTo(unpacked);
        // other content of the same size is another archive (gzip ends with its content's CRC-32)
        Path other = tmp.resolve("other/set.tar.gz");
        Files.createDirectories(other.getParent());
        byte[] bytes = Files.readAllBytes(tgz);
        bytes[bytes.length / 2] ^= 1;
        Files.write(other, bytes);
        assertThat(TarGzArchive.fingerprint(other)).isNotEqualTo(TarGzArchive.fingerprint(tgz));
        ImageFolder train = ImageFolder.open(unpacked.resolve("set/train"), List.of());
        for (int i = 0; i < 3; i++) {
            assertThat(train.image(i).pixels()).isEqualTo(direct.image(i).pixels());
        }
    }

    /** 50,000 images stream through with at most the current and the next batch decoded at any time. */
    @Test
    void batchesAreStreamedWithBoundedMemory() {
        int n = 50_000;
        int batch = 500;
        AtomicInteger maxRequested = new AtomicInteger(-1);
        byte[] pixels = new byte[32 * 32 * 3];
        ImageSet big = new ImageSet() {
            public int size() {
                return n;
            }

            public String name(int i) {
                return i + ".png";
            }

            public int label(int i) {
                return i % 10;
            }

            public Image image(int i) {
                maxRequested.accumulateAndGet(i, Math::max);
                return new Image(32, 32, pixels);
            }

            public List<String> classNames() {
                return List.of();
            }

            public String describe() {
                return "synthetic";
            }
        };
        int seen = 0;
        for (Batch b : new Batches(big, batch)) {
            int consumedUpTo = seen + b.size();
            // images of at most one batch beyond the one being consumed have been decoded
            assertThat(maxRequested.get()).isLessThan(consumedUpTo + batch);
            assertThat(b.pixels()).hasSize(b.size() * 3072);
            seen = consumedUpTo;
        }
        assertThat(seen).isEqualTo(n);
    }
}

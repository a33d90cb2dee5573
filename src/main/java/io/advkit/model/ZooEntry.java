package io.advkit.model;

/**
 * One registered model: its architecture and classes, the normalization it was trained with, where its
 * weights come from and how to check them.
 *
 * @param params    learnable parameter count the publisher states (0 when not stated)
 * @param checksum  "sha1:HEX", "sha256:HEX" or "sha256-prefix:HEX" (torch.hub's file-name convention)
 * @param cacheFile where the publisher's own tool caches the file ("~/.torch/models/..."), reused if present
 */
public record ZooEntry(String name, String arch, int classes, String normalization, long params, String source,
                       String url, String checksum, String cacheFile, String reference) {
    /** The file name the weights are stored under. */
    public String fileName() {
        return cacheFile.substring(cacheFile.lastIndexOf('/') + 1);
    }
}

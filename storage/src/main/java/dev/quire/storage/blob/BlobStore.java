package dev.quire.storage.blob;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Content-addressed blobs (originals and page images), named by the SHA-256 of their bytes: writing the same content
 * twice (a re-run, a retry, another worker) is harmless, and a blob is either complete or absent. Two stores: a local
 * folder ({@link LocalBlobStore}, one machine) and S3-compatible object storage ({@link S3BlobStore}, pods that
 * share no disk). Thread-safe.
 */
public interface BlobStore {
    Pattern SHA = Pattern.compile("[0-9a-f]{64}");

    /** Stores the bytes; returns their SHA-256 (lower-case hex), the blob's name. */
    String put(byte[] bytes);

    /** Stores the file's bytes; returns their SHA-256. */
    String putFile(Path file);

    boolean contains(String sha256);

    /** The blob's bytes; an {@link IOException} names the blob when it is missing. */
    InputStream open(String sha256) throws IOException;

    /** Where the blobs live, for messages: {@code folder /x/blobs}, {@code s3://bucket/prefix at http://…}. */
    String describe();

    /** Throws, saying what is wrong, unless the store can be read and written now (readiness probe). */
    void check() throws IOException;

    /** The blob decoded as an image (PNG, JPEG); an error names the blob when it is missing or not an image. */
    default BufferedImage image(String sha256) throws IOException {
        BufferedImage img;
        try (InputStream in = open(sha256)) {
            img = ImageIO.read(in);
        }
        if (img == null) {
            throw new IOException("blob " + sha256 + " is not an image");
        }
        return img;
    }

    /** Copies the blob to {@code out}. */
    default void copyTo(String sha256, OutputStream out) throws IOException {
        try (InputStream in = open(sha256)) {
            in.transferTo(out);
        }
    }

    static String requireName(String sha256) {
        if (sha256 == null || !SHA.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 blob name: " + sha256);
        }
        return sha256;
    }
}

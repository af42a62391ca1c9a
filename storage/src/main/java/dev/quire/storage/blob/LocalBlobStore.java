package dev.quire.storage.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Content-addressed files on disk: {@code root/ab/cd/abcd…} named by SHA-256. Writes go to a temporary
 * file and are moved into place atomically, so a blob is either complete or absent, and writing the
 * same content twice (a re-run, a retry) is harmless. Thread-safe.
 */
public final class LocalBlobStore implements BlobStore {
    private final Path root;

    public LocalBlobStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return "folder " + root;
    }

    @Override
    public void check() throws IOException {
        Files.createDirectories(root);
        if (!Files.isWritable(root)) {
            throw new IOException("blob store folder " + root + " is not writable");
        }
    }

    /** Every blob in the store by name (files whose name is not a SHA-256, such as leftover temporary files, are left out). */
    public Stream<String> names() throws IOException {
        if (!Files.isDirectory(root)) {
            return Stream.empty();
        }
        return Files.walk(root).filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                .filter(n -> BlobStore.SHA.matcher(n).matches()).sorted();
    }

    @Override
    public String put(byte[] bytes) {
        return write(out -> out.write(bytes));
    }

    @Override
    public String putFile(Path file) {
        return write(out -> Files.copy(file, out));
    }

    @Override
    public boolean contains(String sha256) {
        return Files.isRegularFile(path(sha256));
    }

    public Path path(String sha256) {
        BlobStore.requireName(sha256);
        return root.resolve(sha256.substring(0, 2)).resolve(sha256.substring(2, 4)).resolve(sha256);
    }

    @Override
    public InputStream open(String sha256) throws IOException {
        return Files.newInputStream(path(sha256));
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private String write(Writer writer) {
        try {
            Files.createDirectories(root);
            Path tmp = Files.createTempFile(root, "incoming-", ".tmp");
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                    writer.writeTo(out);
                }
                String sha = HexFormat.of().formatHex(md.digest());
                Path target = path(sha);
                if (!Files.exists(target)) {
                    Files.createDirectories(target.getParent());
                    try {
                        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                    } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                        if (!Files.exists(target)) {
                            throw e;
                        }
                    }
                }
                return sha;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("blob store " + root + ": write failed: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

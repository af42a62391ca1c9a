package dev.quire.vlm.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SHA-256 of whole weight files, each computed once: the digest is cached in a folder (under
 * {@code $QUIRE_HOME/cache/weight-digests}) keyed by the file's real path, size, modification time and file key, so a
 * 30 GB checkpoint is read in full on its first use only and a changed file (other size or time) is hashed again.
 * Hashing reports progress (bytes done of the total) to a listener. Thread-safe.
 */
public final class WeightDigests {
    /** Progress of hashing one file: {@code done} of {@code total} bytes. */
    @FunctionalInterface
    public interface Progress {
        void update(Path file, long done, long total);
    }

    private static final int CHUNK = 8 << 20;
    private final Path cacheDir;
    private final Progress progress;
    private final AtomicLong bytesRead = new AtomicLong();

    /**
     * @param cacheDir where digests are kept (made when needed); null keeps none (every call reads the file)
     * @param progress told about each chunk hashed (null: a log line about every 5 seconds)
     */
    public WeightDigests(Path cacheDir, Progress progress) {
        this.cacheDir = cacheDir;
        this.progress = progress != null ? progress : logging();
    }

    /** Digests cached under {@code home/cache/weight-digests}; progress logged and printed to {@code console}. */
    public static WeightDigests inHome(Path home, java.io.PrintStream console) {
        Progress log = logging();
        Progress print = printing(console);
        return new WeightDigests(home.resolve("cache").resolve("weight-digests"), (f, done, total) -> {
            log.update(f, done, total);
            print.update(f, done, total);
        });
    }

    /** No cache: each digest reads its file (tests, one-off tools). */
    public static WeightDigests uncached() {
        return new WeightDigests(null, null);
    }

    /** Weight bytes this instance has read to hash (0 when every digest came from the cache). */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** The SHA-256 (hex) of {@code file}'s bytes, from the cache when the file is unchanged since it was hashed. */
    public String digest(Path file) {
        try {
            Path real = file.toRealPath();
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            String key = real + "\n" + a.size() + "\n" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "\n" + a.fileKey();
            Path entry = cacheDir == null ? null : cacheDir.resolve(sha256(key.getBytes(StandardCharsets.UTF_8)) + ".sha256");
            if (entry != null && Files.isRegularFile(entry)) {
                String cached = Files.readString(entry).strip();
                if (cached.matches("[0-9a-f]{64}")) {
                    return cached;
                }
            }
            String digest = hash(real, a.size());
            if (entry != null) {
                store(entry, digest);
            }
            return digest;
        } catch (IOException e) {
            throw new CheckpointError(file + ": cannot hash the weights: " + e.getMessage(), e);
        }
    }

    private String hash(Path file, long size) throws IOException {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK);
        long done = 0;
        progress.update(file, 0, size);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                md.update(buf);
                done += n;
                bytesRead.addAndGet(n);
                progress.update(file, done, size);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void store(Path entry, String digest) {
        try {
            Files.createDirectories(entry.getParent());
            Path tmp = Files.createTempFile(entry.getParent(), ".digest-", ".tmp");
            Files.writeString(tmp, digest + "\n");
            try {
                Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // The digest is still right; it will be computed again next time.
            System.getLogger(WeightDigests.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot cache the weight digest in " + entry.getParent() + ": " + e.getMessage());
        }
    }

    /** Prints one line per file when hashing starts and about every 2 seconds after (for the console). */
    public static Progress printing(java.io.PrintStream out) {
        long[] last = {0};
        return (file, done, total) -> {
            long now = System.nanoTime();
            if (done == 0 || done == total || now - last[0] > 2_000_000_000L) {
                last[0] = now;
                out.printf(Locale.ROOT, "hashing weights (once, for the model identity): %s %.2f of %.2f GB (%.0f%%)%n",
                        file.getFileName(), done / 1e9, total / 1e9, total == 0 ? 100.0 : 100.0 * done / total);
            }
        };
    }

    /** A progress listener that logs at most about every 5 seconds, and at the end of each file. */
    public static Progress logging() {
        System.Logger log = System.getLogger(WeightDigests.class.getName());
        long[] last = {0};
        return (file, done, total) -> {
            long now = System.nanoTime();
            if (done == 0) {
                last[0] = now;
                log.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                        "hashing the weights of %s (%.1f GB) once for the model identity; the digest is cached", file, total / 1e9));
            } else if (done == total || now - last[0] > 5_000_000_000L) {
                last[0] = now;
                log.log(System.Logger.Level.INFO, String.format(Locale.ROOT, "hashing %s: %.1f of %.1f GB (%.0f%%)",
                        file.getFileName(), done / 1e9, total / 1e9, total == 0 ? 100.0 : 100.0 * done / total));
            }
        };
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

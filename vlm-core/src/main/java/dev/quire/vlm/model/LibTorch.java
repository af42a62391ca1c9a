package dev.quire.vlm.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.Loader;

/**
 * Loads libtorch's native libraries once per process, and one process at a time per JavaCPP cache.
 *
 * <p>JavaCPP extracts the natives into its cache ({@code ~/.javacpp/cache}) under its own file lock, but it writes
 * each library in place under its final name, and a process that is loading a library which is already there
 * (libtorch.so) does not take that lock: the dynamic linker then opens that library's dependencies (libtorch_cpu.so,
 * 300 MB) by name, and if another process is still writing one of them it maps a half-written file and dies with
 * SIGBUS. Holding one lock for the whole load means no Quire process ever loads from the cache while another fills it.
 */
public final class LibTorch {
    /** The lock file in JavaCPP's cache folder (not JavaCPP's own {@code .lock}, which it takes itself). */
    public static final String LOCK_FILE = ".quire-load.lock";
    private static volatile boolean loaded;

    private LibTorch() {
    }

    /** Loads the natives if this process has not yet; waits while another process is loading (extracting) them. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (LibTorch.class) {
            if (loaded) {
                return;
            }
            Path cache;
            try {
                cache = Loader.getCacheDir().toPath();
                Files.createDirectories(cache);
            } catch (IOException e) {
                throw new UncheckedIOException("JavaCPP cache folder cannot be made: " + e.getMessage()
                        + " (set -Dorg.bytedeco.javacpp.cachedir to a writable folder)", e);
            }
            try (FileChannel channel = FileChannel.open(cache.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                Loader.load(org.bytedeco.pytorch.global.torch.class);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + cache.resolve(LOCK_FILE) + " to load libtorch: "
                        + e.getMessage(), e);
            }
            loaded = true;
        }
    }
}

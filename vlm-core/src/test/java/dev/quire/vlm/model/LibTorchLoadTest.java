package dev.quire.vlm.model;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIGBUS seen when several workers loaded libtorch at once: JavaCPP writes a library into its cache in place, so
 * a process loading libtorch.so while another still writes libtorch_cpu.so maps a half-written file. Here the test
 * plays the process that is writing (a truncated libtorch_cpu.so in a private cache, the load lock held) and starts a
 * second process: it must wait for the writer instead of mapping the half-written file, then load fine.
 */
@Tag("slow")
class LibTorchLoadTest {
    @TempDir
    Path tmp;

    Process child(Path cache, Path log, String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dorg.bytedeco.javacpp.cachedir=" + cache, "-cp", System.getProperty("java.class.path"),
                LibTorchChild.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static Path find(Path cache, String name) throws IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.getFileName().toString().equals(name) && Files.isRegularFile(p))
                    .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + cache));
        }
    }

    @Test
    void aProcessLoadingWhileAnotherFillsTheCacheWaitsInsteadOfMappingAHalfWrittenLibrary() throws Exception {
        Path cache = tmp.resolve("javacpp-cache");
        Process first = child(cache, tmp.resolve("first.log"));
        assertTrue(first.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, first.exitValue(), Files.readString(tmp.resolve("first.log")));

        // Mid-extraction state: libtorch_cpu.so half written under its final name, the writer holding the lock.
        Path cpu = find(cache, "libtorch_cpu.so");
        Path whole = Files.move(cpu, tmp.resolve("libtorch_cpu.so.whole"));
        try (var in = Files.newInputStream(whole); var out = Files.newOutputStream(cpu)) {
            out.write(in.readNBytes(48 << 20));
        }
        Process second;
        try (FileChannel ch = FileChannel.open(cache.resolve(LibTorch.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            second = child(cache, tmp.resolve("second.log"));
            assertFalse(second.waitFor(3, TimeUnit.SECONDS), "the second process does not load while the cache is being "
                    + "filled:\n" + Files.readString(tmp.resolve("second.log")));
            Files.move(whole, cpu, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        assertTrue(second.waitFor(5, TimeUnit.MINUTES));
        String log = Files.readString(tmp.resolve("second.log"));
        assertEquals(0, second.exitValue(), log);
        assertTrue(log.contains("libtorch loaded"), log);
    }
}

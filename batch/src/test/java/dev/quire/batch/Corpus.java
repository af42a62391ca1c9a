package dev.quire.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The shared corpus of real PDFs (../shared/corpus), located via -Dcorpus.dir or relative paths. */
public final class Corpus {
    private Corpus() {
    }

    public static Path file(String name) {
        String prop = System.getProperty("corpus.dir");
        for (Path dir : new Path[] {prop == null ? null : Path.of(prop), Path.of("../../shared/corpus"), Path.of("../shared/corpus")}) {
            if (dir != null && Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name).toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("corpus file " + name + " not found; set -Dcorpus.dir=/path/to/shared/corpus");
    }

    /** Copies corpus files into {@code folder} (tests ingest folders of their own). */
    public static void copy(Path folder, String... names) throws IOException {
        Files.createDirectories(folder);
        for (String n : names) {
            Files.copy(file(n), folder.resolve(n), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

package dev.quire.ingestion;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shared corpus of real PDFs (../shared/corpus), located via -Dcorpus.dir or relative paths. */
final class Corpus {
    private Corpus() {
    }

    static Path file(String name) {
        String prop = System.getProperty("corpus.dir");
        for (Path dir : new Path[] {prop == null ? null : Path.of(prop), Path.of("../../shared/corpus"), Path.of("../shared/corpus")}) {
            if (dir != null && Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name).toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("corpus file " + name + " not found; set -Dcorpus.dir=/path/to/shared/corpus");
    }
}

package dev.quire.ingestion.office;

import java.io.IOException;
import java.nio.file.Path;

/** Converts one Office file to PDF. May block; {@link OfficeConversions} bounds the time and restarts it after a hang. */
public interface OfficeConverter extends AutoCloseable {

    /** Starts the converter's processes if they are not running (not counted against a file's timeout). */
    default void start() throws IOException {
    }

    /** Writes {@code source} as a PDF to {@code pdf}; an IOException says why the file could not be converted. */
    void convert(Path source, Path pdf) throws IOException;

    /** Throws away the converter's processes (after a conversion hung or crashed) and starts fresh ones. */
    void restart();

    @Override
    void close();
}

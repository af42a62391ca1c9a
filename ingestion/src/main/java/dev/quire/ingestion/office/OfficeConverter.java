package dev.quire.ingestion.office;

import java.io.IOException;
import java.nio.file.Path;

/** Converts one Office file to PDF. May block; {@link OfficeConversions} bounds the time and restarts it after a hang. */
public interface OfficeConverter extends AutoCloseable {

    /** Writes {@code source} as a PDF to {@code pdf}; an IOException says why the file could not be converted. */
    void convert(Path source, Path pdf) throws IOException;

    /** Throws away the converter's processes (after a conversion hung or crashed) and starts fresh ones. */
    void restart();

    @Override
    void close();
}

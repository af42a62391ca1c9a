package dev.quire.batch.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Keeps third-party libraries' per-glyph and per-filter messages off the console (they are in the log file and
 * counted for the summary); Quire's own messages and everything else pass.
 */
@LoggingFilter(name = "quire-console")
public final class ConsoleFilter implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
        if (LibraryWarnings.fromLibrary(record)) {
            LibraryWarnings.count(record);
            return false;
        }
        return true;
    }
}

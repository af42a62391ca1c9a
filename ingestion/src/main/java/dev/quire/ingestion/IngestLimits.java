package dev.quire.ingestion;

/**
 * Bounds on what one input may cost.
 *
 * @param maxBytes         larger files are rejected before they are parsed
 * @param maxPages         documents with more pages are rejected
 * @param mainMemoryBytes  main memory a PDF's streams may use while it is checked (the rest spills to scratch files)
 */
public record IngestLimits(long maxBytes, int maxPages, long mainMemoryBytes) {
    /** {@code quire.ingest.max-bytes} unless set. */
    public static final long DEFAULT_MAX_BYTES = 512L << 20;
    /** {@code quire.ingest.max-pages} unless set. */
    public static final int DEFAULT_MAX_PAGES = 5_000;

    /** The default limits, with {@code mainMemoryBytes} as given (the renderer's setting decides it). */
    public static IngestLimits defaults(long mainMemoryBytes) {
        return new IngestLimits(DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, mainMemoryBytes);
    }
}

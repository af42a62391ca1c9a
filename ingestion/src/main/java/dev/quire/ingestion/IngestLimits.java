package dev.quire.ingestion;

/**
 * Bounds on what one input may cost.
 *
 * @param maxBytes         larger files are rejected before they are parsed
 * @param maxPages         documents with more pages are rejected
 * @param mainMemoryBytes  main memory a PDF's streams may use while it is checked (the rest spills to scratch files)
 */
public record IngestLimits(long maxBytes, int maxPages, long mainMemoryBytes) {
    public static IngestLimits defaults() {
        return new IngestLimits(512L << 20, 5_000, 64L << 20);
    }
}

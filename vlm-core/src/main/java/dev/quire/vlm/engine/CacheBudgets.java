package dev.quire.vlm.engine;

/**
 * Memory the embedded engine may keep for reuse across requests ({@code quire.vlm.vision-cache-bytes},
 * {@code quire.vlm.prefix-cache-bytes}); 0 turns a cache off.
 *
 * @param visionBytes encoded page images (vision tower + projector output), keyed by the exact image sent
 * @param prefixBytes prefilled prompt prefixes (latent caches up to the end of the last image), keyed by their
 *                    token ids and image keys
 */
public record CacheBudgets(long visionBytes, long prefixBytes) {
    public static final long DEFAULT_VISION_BYTES = 512L << 20;
    public static final long DEFAULT_PREFIX_BYTES = 1L << 30;
    public static final CacheBudgets DEFAULT = new CacheBudgets(DEFAULT_VISION_BYTES, DEFAULT_PREFIX_BYTES);
    public static final CacheBudgets OFF = new CacheBudgets(0, 0);

    public CacheBudgets {
        if (visionBytes < 0 || prefixBytes < 0) {
            throw new IllegalArgumentException("cache budgets cannot be negative: vision " + visionBytes + ", prefix "
                    + prefixBytes + " bytes");
        }
    }

    /**
     * What the caches did so far.
     *
     * @param prefixDropped prefixes not kept because they alone exceed the budget (or could not be allocated)
     */
    public record Stats(long visionHits, long visionMisses, int visionEntries, long visionBytes,
                        long prefixHits, long prefixMisses, long prefixDropped, int prefixEntries, long prefixBytes) {
    }
}

package dev.quire.vlm.engine;

/**
 * An answer and how it was made.
 *
 * @param text         decoded answer (stop token excluded)
 * @param tokens       generated token ids (stop token excluded)
 * @param logprobs     log-probability of each generated token, when requested (else null)
 * @param promptTokens tokens in the prompt, images included
 * @param stopReason   "stop" (a stop token) or "length" (max new tokens)
 * @param timings      where the time went
 * @param model        which model answered
 * @param firstLogits  logits at the first generated position, when requested (else null)
 */
public record GenerateResult(String text, int[] tokens, float[] logprobs, int promptTokens, String stopReason,
                             Timings timings, ModelIdentity model, float[] firstLogits) {

    /**
     * Nanoseconds in the vision tower (and projector), the prompt prefill, and the decode loop; what was reused.
     *
     * @param visionCacheHits   images whose encoding came from the vision cache
     * @param visionCacheMisses images the vision tower encoded
     * @param prefixCacheTokens prompt tokens continued from a cached prefilled prefix instead of prefilled (0: none;
     *                          the images of such a prefix need no encoding and count as neither hit nor miss)
     */
    public record Timings(long visionNanos, long prefillNanos, long decodeNanos, int decodedTokens, int visionCacheHits,
                          int visionCacheMisses, int prefixCacheTokens) {
        /** Timings of a call that reused nothing (or an engine that does not report it). */
        public Timings(long visionNanos, long prefillNanos, long decodeNanos, int decodedTokens) {
            this(visionNanos, prefillNanos, decodeNanos, decodedTokens, 0, 0, 0);
        }

        public double decodeTokensPerSecond() {
            return decodeNanos == 0 ? 0 : decodedTokens / (decodeNanos / 1e9);
        }
    }
}

package dev.quire.vlm.engine;

/**
 * How to generate.
 *
 * @param maxNewTokens most tokens to generate
 * @param temperature  0 = greedy; otherwise sampling at this temperature
 * @param topP         nucleus sampling mass (1 = off)
 * @param seed         sampling seed (same seed, same answer)
 * @param logprobs     return each generated token's log-probability
 * @param firstLogits  return the logits of the first generated position (after the whole prompt)
 * @param prefillChunk prompt tokens per prefill step: bounds attention memory on long prompts
 * @param listener     streaming callback, or null
 * @param ignoreStop   keep generating past stop tokens up to maxNewTokens (benchmarks: a fixed decode length)
 */
public record GenerationOptions(int maxNewTokens, double temperature, double topP, long seed, boolean logprobs,
                                boolean firstLogits, int prefillChunk, TokenListener listener,
                                boolean ignoreStop) {

    public GenerationOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        }
        if (temperature < 0 || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("temperature must be >= 0 and top-p in (0, 1]; got " + temperature + ", " + topP);
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be at least 1 token, got " + prefillChunk);
        }
    }

    /** Prompt tokens per prefill step unless set ({@code quire.vlm.prefill-chunk}). */
    public static final int DEFAULT_PREFILL_CHUNK = 2048;

    public static GenerationOptions greedy(int maxNewTokens) {
        return new GenerationOptions(maxNewTokens, 0, 1, 0, false, false, DEFAULT_PREFILL_CHUNK, null, false);
    }

    public GenerationOptions withPrefillChunk(int tokens) {
        return new GenerationOptions(maxNewTokens, temperature, topP, seed, logprobs, firstLogits, tokens, listener, ignoreStop);
    }

    public GenerationOptions withLogprobs(boolean on, boolean first) {
        return new GenerationOptions(maxNewTokens, temperature, topP, seed, on, first, prefillChunk, listener, ignoreStop);
    }

    public GenerationOptions withSampling(double t, double p, long s) {
        return new GenerationOptions(maxNewTokens, t, p, s, logprobs, firstLogits, prefillChunk, listener, ignoreStop);
    }

    public GenerationOptions withListener(TokenListener l) {
        return new GenerationOptions(maxNewTokens, temperature, topP, seed, logprobs, firstLogits, prefillChunk, l, ignoreStop);
    }

    public GenerationOptions withIgnoreStop(boolean on) {
        return new GenerationOptions(maxNewTokens, temperature, topP, seed, logprobs, firstLogits, prefillChunk, listener, on);
    }

    /**
     * Receives each generated token as it is produced, with the text it completes (possibly empty mid-character).
     * The embedded engine calls it on its model thread between decode steps: a slow listener stalls every request
     * decoding with it, and one that throws ends only its own request.
     */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int tokenId, String textDelta);
    }
}

package dev.quire.vlm.engine;

import dev.quire.vlm.model.KimiVlModel;
import dev.quire.vlm.tokenizer.ChatPrompt;
import java.util.Arrays;

/**
 * How a request starts from what earlier requests already computed: its shared prefix (everything up to the end
 * of the last image) from the {@link PrefixCache}, else its images from the {@link VisionCache} and the prefix
 * prefilled and offered to the prefix cache. The result is a session positioned after the reused part, with the
 * image features the rest of the prompt needs.
 */
final class PromptReuse {
    private final KimiVlModel model;
    private final VisionCache vision;
    private final PrefixCache prefixes;

    PromptReuse(KimiVlModel model, CacheBudgets budgets) {
        this.model = model;
        this.vision = new VisionCache(budgets.visionBytes());
        this.prefixes = new PrefixCache(budgets.prefixBytes());
    }

    /**
     * A request's starting point.
     *
     * @param rows         per prompt position, the image feature row it takes (−1: a token embedding)
     * @param prefixTokens prompt positions copied from a cached prefix (0: none)
     * @param visionNanos  time encoding images (0 when none needed encoding)
     */
    record Start(KimiVlModel.Session session, KimiVlModel.ImageFeatures features, long[] rows, int visionHits,
                 int visionMisses, int prefixTokens, long visionNanos) implements AutoCloseable {
        @Override
        public void close() {
            features.close();
        }
    }

    /**
     * Positions the request: a copy of its cached prefix, or its images encoded (cache first) and, when the prompt
     * has a shared prefix and the prefix cache is on, that prefix prefilled and offered to the cache.
     *
     * @param beforeChunk called before each prefill chunk (the engine's shutdown check)
     */
    Start start(PromptBuilder.Built built, int capacity, int prefillChunk, Runnable beforeChunk) {
        ChatPrompt.Tokens prompt = built.tokens();
        int boundary = prefixes.enabled() ? PrefixCache.boundary(prompt.ids(), prompt.images()) : 0;
        String key = boundary == 0 ? null
                : PrefixCache.key(prompt.ids(), boundary, built.inputs().stream().map(PromptBuilder.PromptImage::key).toList());
        long[] rows = rows(prompt);
        if (key != null) {
            KimiVlModel.Session forked = prefixes.fork(model, key, capacity);
            if (forked != null) {
                // Everything with an image lies inside the prefix: the rest of the prompt needs no features.
                return new Start(forked, new KimiVlModel.ImageFeatures(null, 0), rows, 0, 0, boundary, 0);
            }
        }
        VisionCache.Encoded enc = vision.encode(model, built.inputs());
        if (enc.features().count() != built.inputs().stream().mapToLong(PromptBuilder.PromptImage::tokens).sum()) {
            enc.features().close();
            throw new IllegalStateException("prompt has image positions for " + built.inputs().size()
                    + " images that the vision tower made " + enc.features().count() + " features for");
        }
        KimiVlModel.Session session = model.session(capacity);
        Start s = new Start(session, enc.features(), rows, enc.hits(), enc.misses(), 0, enc.nanos());
        if (key != null) {
            try {
                prefill(s, prompt.ids(), boundary, prefillChunk, beforeChunk);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            prefixes.offer(model, key, session);
        }
        return s;
    }

    /** Prefills the session from its current length up to {@code end}; the logits after the last position. */
    float[] prefill(Start s, int[] ids, int end, int chunk, Runnable beforeChunk) {
        float[] logits = null;
        for (int from = (int) s.session().length(); from < end; from += chunk) {
            beforeChunk.run();
            int to = Math.min(end, from + chunk);
            logits = s.session().forward(Arrays.copyOfRange(ids, from, to), Arrays.copyOfRange(s.rows(), from, to),
                    s.features(), false);
        }
        return logits;
    }

    /** Per prompt position the image feature row it takes, −1 for a token embedding. */
    private static long[] rows(ChatPrompt.Tokens prompt) {
        long[] rows = new long[prompt.length()];
        Arrays.fill(rows, -1);
        long row = 0;
        for (ChatPrompt.ImageSpan span : prompt.images()) {
            for (int i = 0; i < span.length(); i++) {
                rows[span.start() + i] = row++;
            }
        }
        return rows;
    }

    CacheBudgets.Stats stats() {
        return new CacheBudgets.Stats(vision.hits(), vision.misses(), vision.entries(), vision.bytes(), prefixes.hits(),
                prefixes.misses(), prefixes.dropped(), prefixes.entries(), prefixes.bytes());
    }

    void clear() {
        vision.clear();
        prefixes.clear();
    }
}

package dev.quire.vlm.engine;

import dev.quire.vlm.image.ImageProcessor;
import dev.quire.vlm.model.KimiVlModel;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoded images (vision tower + projector rows) keyed by the exact image sent ({@link PromptBuilder.PromptImage#key}),
 * least recently used first out within a byte budget: a document's next question, a retried call or a new job
 * over the same pages skips the vision tower. The misses of one request are encoded together in one pass.
 */
final class VisionCache {
    private final ByteBudgetLru<KimiVlModel.ImageFeatures> lru;
    private long hits;
    private long misses;

    VisionCache(long budgetBytes) {
        this.lru = new ByteBudgetLru<>(budgetBytes);
    }

    /** A request's image features in prompt order, and how they were come by. */
    record Encoded(KimiVlModel.ImageFeatures features, int hits, int misses, long nanos) {
    }

    /** The features of {@code images} in prompt order (close them), encoding only those not cached. */
    synchronized Encoded encode(KimiVlModel model, List<PromptBuilder.PromptImage> images) {
        long t0 = System.nanoTime();
        if (images.isEmpty()) {
            return new Encoded(new KimiVlModel.ImageFeatures(null, 0), 0, 0, 0);
        }
        if (lru.budget() == 0) {
            misses += images.size();
            KimiVlModel.ImageFeatures all = model.encode(images.stream().map(PromptBuilder.PromptImage::patches).toList());
            return new Encoded(all, 0, images.size(), System.nanoTime() - t0);
        }
        List<KimiVlModel.ImageFeatures> parts = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            KimiVlModel.ImageFeatures f = lru.get(images.get(i).key());
            parts.add(f);
            if (f == null) {
                missing.add(i);
            }
        }
        List<KimiVlModel.ImageFeatures> uncached = new ArrayList<>();
        try {
            if (!missing.isEmpty()) {
                List<ImageProcessor.Patches> patches = missing.stream().map(i -> images.get(i).patches()).toList();
                List<KimiVlModel.ImageFeatures> fresh = model.encodeEach(patches);
                for (int j = 0; j < missing.size(); j++) {
                    parts.set(missing.get(j), fresh.get(j));
                }
                uncached.addAll(fresh);
            }
            KimiVlModel.ImageFeatures all = KimiVlModel.ImageFeatures.concat(parts);
            // Only now may the new ones go in: putting one can evict (close) a hit that concat still needed.
            for (int j = 0; j < missing.size(); j++) {
                KimiVlModel.ImageFeatures f = uncached.get(j);
                if (lru.put(images.get(missing.get(j)).key(), f, f.bytes())) {
                    uncached.set(j, null);
                }
            }
            hits += images.size() - missing.size();
            misses += missing.size();
            return new Encoded(all, images.size() - missing.size(), missing.size(), System.nanoTime() - t0);
        } finally {
            for (KimiVlModel.ImageFeatures f : uncached) {
                if (f != null) {
                    f.close();
                }
            }
        }
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized int entries() {
        return lru.size();
    }

    synchronized long bytes() {
        return lru.used();
    }

    synchronized void clear() {
        lru.clear();
    }
}

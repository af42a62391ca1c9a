package dev.quire.vlm.engine;

import dev.quire.vlm.model.KimiVlModel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Prefilled prompt prefixes, least recently used first out within a byte budget. A document's questions share
 * everything up to the end of the last image (system turn, demonstrations, page labels and images); that prefix
 * is prefilled once and every question continues from a copy of its latent cache. Keyed by the prefix's token ids
 * and the keys of its images, so the same ids over other pixels never match. A prefix larger than the whole
 * budget (or one whose copy cannot be allocated) is dropped and counted, never an out-of-memory failure.
 */
final class PrefixCache {
    private static final System.Logger LOG = System.getLogger(PrefixCache.class.getName());
    private final ByteBudgetLru<KimiVlModel.Prefix> lru;
    private long hits;
    private long misses;
    private long dropped;

    PrefixCache(long budgetBytes) {
        this.lru = new ByteBudgetLru<>(budgetBytes);
    }

    boolean enabled() {
        return lru.budget() > 0;
    }

    /**
     * Where the shared prefix of a prompt ends: after the {@code <|media_end|>} of its last image, when text follows
     * (the question); 0 when the prompt has no image or ends with one.
     */
    static int boundary(int[] ids, List<dev.quire.vlm.tokenizer.ChatPrompt.ImageSpan> spans) {
        if (spans.isEmpty()) {
            return 0;
        }
        var last = spans.getLast();
        int end = last.start() + last.length() + 1; // the media_end token
        return end < ids.length ? end : 0;
    }

    /** The key of the prefix {@code ids[0..end)} whose images have {@code imageKeys}. */
    static String key(int[] ids, int end, List<String> imageKeys) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * end + 4);
            b.putInt(end);
            for (int i = 0; i < end; i++) {
                b.putInt(ids[i]);
            }
            md.update(b.array());
            for (String k : imageKeys) {
                md.update(k.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A session of {@code capacity} positions continuing from the cached prefix, or null when it is not cached. */
    synchronized KimiVlModel.Session fork(KimiVlModel model, String key, int capacity) {
        KimiVlModel.Prefix p = lru.get(key);
        if (p == null) {
            misses++;
            return null;
        }
        hits++;
        return model.session(capacity, p);
    }

    /** Keeps a copy of what {@code session} has prefilled under {@code key}, if it fits the budget. */
    synchronized void offer(KimiVlModel model, String key, KimiVlModel.Session session) {
        long bytes = model.prefixBytes(session.length());
        if (!lru.makeRoom(bytes)) {
            dropped++;
            LOG.log(System.Logger.Level.DEBUG, "prompt prefix of " + session.length() + " tokens (" + bytes
                    + " bytes) exceeds the prefix cache budget of " + lru.budget() + " bytes: not kept");
            return;
        }
        KimiVlModel.Prefix prefix;
        try {
            prefix = session.snapshot();
        } catch (RuntimeException e) { // the runtime could not allocate the copy (device memory): go on without it
            dropped++;
            LOG.log(System.Logger.Level.WARNING, "prompt prefix of " + session.length() + " tokens (" + bytes
                    + " bytes) could not be copied, not kept: " + e.getMessage());
            return;
        }
        if (!lru.put(key, prefix, bytes)) {
            prefix.close();
            dropped++;
        }
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }

    synchronized long dropped() {
        return dropped;
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

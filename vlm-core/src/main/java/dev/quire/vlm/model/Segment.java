package dev.quire.vlm.model;

/**
 * Consecutive rows of a forward step that belong to one sequence: {@code count} tokens at positions
 * {@code start ..} in that sequence's latent cache. A prefill chunk is one segment; a batched decode step has one
 * one-row segment per active sequence.
 */
record Segment(LatentCache cache, long start, int count) {
}

package dev.quire.vlm.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The attention cache as MLA latents: per layer and position the normalised compressed KV (kv_lora_rank values)
 * and the shared rotary key (qk_rope_head_dim values) — 576 values for Kimi-VL-A3B instead of 16 heads ×
 * (192 + 128) expanded keys and values. Preallocated for the whole request.
 */
final class LatentCache {
    private final Tensor[] layers; // each (capacity, kvLora + rope)
    private final int capacity;
    private long length;

    LatentCache(int numLayers, int capacity, int width, torch.ScalarType dtype, TorchDevice device) {
        this.capacity = capacity;
        this.layers = new Tensor[numLayers];
        for (int i = 0; i < numLayers; i++) {
            Tensor t = torch.zeros(capacity, width).to(dtype);
            layers[i] = t.to(device.device(), dtype);
        }
    }

    /** Writes a chunk's latents of layer {@code layer} at positions start..start+n-1 and returns all up to its end. */
    Tensor append(int layer, long start, Tensor latents) {
        long n = latents.size(0);
        if (start + n > capacity) {
            throw new IllegalStateException("latent cache holds " + capacity + " positions; asked for " + (start + n));
        }
        Tensor slot = layers[layer];
        RuntimeCalls.add(latents.scalar_type() == slot.scalar_type() ? 3 : 4);
        slot.narrow(0, start, n).copy_(latents.scalar_type() == slot.scalar_type() ? latents : latents.to(slot.scalar_type()));
        return slot.narrow(0, 0, start + n);
    }

    /** Bytes of one cached value in {@code dtype}. */
    static long elementSize(torch.ScalarType dtype) {
        return switch (dtype) {
            case Float -> 4;
            case Double -> 8;
            default -> 2; // bfloat16, float16
        };
    }

    /** A compact copy of every layer's filled positions ((length, width) each), retained: release each. */
    Tensor[] copyFilled() {
        Tensor[] out = new Tensor[layers.length];
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            for (int i = 0; i < layers.length; i++) {
                out[i] = layers[i].narrow(0, 0, length).clone();
                out[i].retainReference();
            }
        }
        return out;
    }

    /** Fills positions 0..n-1 of every layer from {@code latents} (as {@link #copyFilled} made them). */
    void copyFrom(Tensor[] latents, long n) {
        if (length != 0 || n > capacity || latents.length != layers.length) {
            throw new IllegalStateException("a prefix of " + n + " positions and " + latents.length
                    + " layers does not fit an empty cache of " + capacity + " positions and " + layers.length + " layers");
        }
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            for (int i = 0; i < layers.length; i++) {
                layers[i].narrow(0, 0, n).copy_(latents[i]);
            }
        }
        length = n;
    }

    /** Frees the cache's memory now (instead of when its tensors are collected). */
    void close() {
        for (Tensor t : layers) {
            if (t != null && !t.isNull()) {
                t.close();
            }
        }
    }

    long length() {
        return length;
    }

    void advance(long n) {
        length += n;
    }
}

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

package dev.quire.vlm.config;

/**
 * MoonViT: a native-resolution ViT with a learned 2D position embedding (resampled to each image's grid),
 * 2D rotary positions and a {@code mergeHeight × mergeWidth} patch merge. From {@code vision_config}.
 */
public record VisionConfig(int patchSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
                           int posEmbHeight, int posEmbWidth, int mergeHeight, int mergeWidth) {

    public VisionConfig {
        Json.positive(patchSize, "vision_config.patch_size");
        Json.positive(hiddenSize, "vision_config.hidden_size");
        Json.positive(numHeads, "vision_config.num_attention_heads");
        if (hiddenSize % numHeads != 0) {
            throw new ConfigError("vision_config.hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numHeads);
        }
        if ((hiddenSize / numHeads) % 4 != 0) {
            throw new ConfigError("vision head dim " + hiddenSize / numHeads + " must be a multiple of 4 for 2D rotary positions");
        }
    }

    static VisionConfig from(Json v) {
        int[] merge = v.integers("merge_kernel_size", new int[] {2, 2});
        return new VisionConfig(v.integer("patch_size"), v.integer("hidden_size"), v.integer("num_hidden_layers"),
                v.integer("num_attention_heads"), v.integer("intermediate_size"),
                v.integer("init_pos_emb_height"), v.integer("init_pos_emb_width"), merge[0], merge[1]);
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** Width of one merged token before the projector (hidden × merge area). */
    public int mergedSize() {
        return hiddenSize * mergeHeight * mergeWidth;
    }

    public long parameters() {
        long d = hiddenSize;
        long block = 4 * d + (3 * d * d + 3 * d) + (d * d + d) + (intermediateSize * d + intermediateSize)
                + (d * intermediateSize + d);
        return d * 3L * patchSize * patchSize + d + (long) posEmbHeight * posEmbWidth * d + numLayers * block + 2 * d;
    }
}

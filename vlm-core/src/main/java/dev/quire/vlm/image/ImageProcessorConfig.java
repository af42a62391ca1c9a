package dev.quire.vlm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.vlm.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint's {@code preprocessor_config.json}: the processor geometry and the normalisation constants.
 * Absent keys take the Kimi-VL processor's defaults (CLIP mean/std, patch 14, 2×2 merge, 4096 patches, pad).
 */
public record ImageProcessorConfig(ImageGeometry geometry, float[] mean, float[] std) {
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public ImageProcessorConfig {
        if (mean.length != 3 || std.length != 3) {
            throw new ConfigError("image_mean and image_std need 3 values (RGB), got " + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new ConfigError("image_std values must be positive, got " + s);
            }
        }
    }

    public static ImageProcessorConfig kimiVlDefaults() {
        return new ImageProcessorConfig(ImageGeometry.kimiVlInstruct(), CLIP_MEAN.clone(), CLIP_STD.clone());
    }

    /** Reads the file; a missing file means the defaults. */
    public static ImageProcessorConfig read(Path file) {
        if (!Files.exists(file)) {
            return kimiVlDefaults();
        }
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigError(file + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        ImageGeometry d = ImageGeometry.kimiVlInstruct();
        int patch = n.path("patch_size").asInt(d.patchSize());
        JsonNode merge = n.path("merge_kernel_size");
        int mh = merge.isArray() ? merge.get(0).asInt() : merge.asInt(d.mergeHeight());
        int mw = merge.isArray() ? merge.get(1).asInt() : merge.asInt(d.mergeWidth());
        int limit = n.path("in_token_limit").asInt(d.inTokenLimit());
        boolean pad = n.path("pad_input").asBoolean(d.padInput());
        try {
            return new ImageProcessorConfig(new ImageGeometry(patch, mh, mw, limit, pad, d.maxPatchesPerSide()),
                    floats(n.path("image_mean"), CLIP_MEAN), floats(n.path("image_std"), CLIP_STD));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(file + ": " + e.getMessage(), e);
        }
    }

    private static float[] floats(JsonNode n, float[] fallback) {
        if (!n.isArray()) {
            return fallback.clone();
        }
        float[] out = new float[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) n.get(i).asDouble();
        }
        return out;
    }
}

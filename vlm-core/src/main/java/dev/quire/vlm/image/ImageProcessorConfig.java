package dev.quire.vlm.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.vlm.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A checkpoint's {@code preprocessor_config.json}: the processor geometry and the normalisation constants.
 * The geometry keys are required (see {@link #read}); {@link #kimiVlDefaults()} is Kimi-VL-Instruct's, for tests.
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

    /**
     * Reads the file. The geometry comes from the model: a missing file, or a missing or malformed
     * {@code patch_size}, {@code merge_kernel_size} or {@code in_token_limit}, is an error naming the file and the
     * key (never a silent Kimi-VL-Instruct default). {@code pad_input} defaults to true and
     * {@code image_mean}/{@code image_std} to CLIP's, as the Kimi-VL processor's code does.
     */
    public static ImageProcessorConfig read(Path file) {
        if (!Files.exists(file)) {
            throw new ConfigError(file + " is missing: the image geometry (patch_size, merge_kernel_size, in_token_limit) "
                    + "comes from the model's preprocessor_config.json");
        }
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ConfigError(file + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new ConfigError(file + ": is not a JSON object");
        }
        ImageGeometry d = ImageGeometry.kimiVlInstruct();
        int patch = positiveInt(file, n, "patch_size");
        JsonNode merge = n.path("merge_kernel_size");
        int mh;
        int mw;
        if (merge.isArray() && merge.size() == 2 && merge.get(0).canConvertToInt() && merge.get(1).canConvertToInt()
                && merge.get(0).asInt() > 0 && merge.get(1).asInt() > 0) {
            mh = merge.get(0).asInt();
            mw = merge.get(1).asInt();
        } else if (merge.isIntegralNumber() && merge.asInt() > 0) {
            mh = merge.asInt();
            mw = mh;
        } else {
            throw new ConfigError(file + ": " + (merge.isMissingNode() ? "key merge_kernel_size is missing"
                    : "merge_kernel_size must be [height, width] of positive integers, got " + merge));
        }
        int limit = positiveInt(file, n, "in_token_limit");
        JsonNode padNode = n.path("pad_input");
        if (!padNode.isMissingNode() && !padNode.isBoolean()) {
            throw new ConfigError(file + ": pad_input must be true or false, got " + padNode);
        }
        boolean pad = padNode.asBoolean(true);
        try {
            return new ImageProcessorConfig(new ImageGeometry(patch, mh, mw, limit, pad, d.maxPatchesPerSide()),
                    floats(n.path("image_mean"), CLIP_MEAN), floats(n.path("image_std"), CLIP_STD));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(file + ": " + e.getMessage(), e);
        }
    }

    private static int positiveInt(Path file, JsonNode n, String key) {
        JsonNode v = n.path(key);
        if (v.isMissingNode() || v.isNull()) {
            throw new ConfigError(file + ": key " + key + " is missing");
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new ConfigError(file + ": " + key + " must be a positive integer, got " + v);
        }
        return v.asInt();
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

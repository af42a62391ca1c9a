package dev.quire.vlm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Kimi-VL-family checkpoint's {@code config.json}: the vision tower, the decoder and how images enter the
 * prompt. Every size the model code uses comes from here.
 */
public record ModelConfig(String modelType, VisionConfig vision, TextConfig text, int mediaPlaceholderTokenId) {

    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new ConfigError(configJson + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ConfigError(configJson + ": not a JSON object");
        }
        Json json = new Json(root, configJson.getFileName().toString());
        String type = json.text("model_type", "");
        if (!type.equals("kimi_vl")) {
            throw new ConfigError(json.where() + ": model_type is \"" + type + "\"; Quire runs Kimi-VL checkpoints (kimi_vl)");
        }
        VisionConfig vision = VisionConfig.from(json.child("vision_config"));
        TextConfig text = TextConfig.from(json.child("text_config"), json.bool("tie_word_embeddings", false));
        return new ModelConfig(type, vision, text, json.integer("media_placeholder_token_id"));
    }

    /** Parameter counts computed from the configuration alone (no weights are read). */
    public record ParameterCount(long vision, long projector, long text, long total, long activePerToken) {
    }

    public ParameterCount parameters() {
        long v = vision.parameters();
        long merged = vision.mergedSize();
        long projector = 2L * vision.hiddenSize() + merged * merged + merged + merged * text.hiddenSize() + text.hiddenSize();
        long h = text.hiddenSize();
        long embed = (long) text.vocabSize() * h;
        long head = text.tieWordEmbeddings() ? 0 : embed;
        long layers = 0;
        long activeLayers = 0;
        for (int i = 0; i < text.numLayers(); i++) {
            layers += text.layerParameters(i, false);
            activeLayers += text.layerParameters(i, true);
        }
        long t = embed + head + h + layers;
        // Active per text token: the decoder weights a token actually multiplies — all layers with only the
        // top-k routed experts, the final norm and the LM head — not the embedding table (one row is read).
        long active = activeLayers + h + (text.tieWordEmbeddings() ? embed : head);
        return new ParameterCount(v, projector, t, v + projector + t, active);
    }
}

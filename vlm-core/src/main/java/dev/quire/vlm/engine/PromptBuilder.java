package dev.quire.vlm.engine;

import dev.quire.vlm.checkpoint.Checkpoint;
import dev.quire.vlm.config.ModelConfig;
import dev.quire.vlm.image.ImageProcessor;
import dev.quire.vlm.image.ImageProcessorConfig;
import dev.quire.vlm.tokenizer.ChatPrompt;
import dev.quire.vlm.tokenizer.KimiTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request into the model's prompt: token ids in Kimi-VL's chat template and the image patches. It is
 * also the {@link TokenCosts} of that model, so the counts a planner uses are the counts this builder produces.
 * Needs only the checkpoint's tokenizer and configuration files, not its weights.
 */
public final class PromptBuilder implements TokenCosts {
    private final KimiTokenizer tokenizer;
    private final ImageProcessor processor;
    private final int merge;
    private final int contextLength;
    private final int imageMarkers;

    public PromptBuilder(KimiTokenizer tokenizer, ImageProcessorConfig processor, ModelConfig config) {
        this.tokenizer = tokenizer;
        this.processor = new ImageProcessor(processor);
        this.merge = config.vision().mergeHeight() * config.vision().mergeWidth();
        this.contextLength = config.text().maxPositionEmbeddings();
        int pad = tokenizer.requireSpecial("<|media_pad|>");
        if (pad != config.mediaPlaceholderTokenId()) {
            throw new IllegalArgumentException("<|media_pad|> is token " + pad
                    + " but config.json says media_placeholder_token_id " + config.mediaPlaceholderTokenId());
        }
        int empty = ChatPrompt.build(tokenizer, null, List.of()).length();
        this.imageMarkers = ChatPrompt.build(tokenizer, null, List.of(new ChatPrompt.Image(1))).length() - empty - 1;
    }

    /** The builder of the checkpoint in {@code dir}, from its tokenizer and configuration files (no weights). */
    public static PromptBuilder open(Path dir) {
        ModelConfig config = Checkpoint.readConfig(dir);
        return new PromptBuilder(KimiTokenizer.load(dir), ImageProcessorConfig.read(dir.resolve("preprocessor_config.json")),
                config);
    }

    /** A built prompt: ids with image spans, and each image's patches in prompt order. */
    public record Built(ChatPrompt.Tokens tokens, List<ImageProcessor.Patches> images) {
    }

    public Built build(GenerateRequest request) {
        List<ChatPrompt.Part> parts = new ArrayList<>();
        List<ImageProcessor.Patches> images = new ArrayList<>();
        for (PromptPart p : request.parts()) {
            switch (p) {
                case PromptPart.Text t -> parts.add(new ChatPrompt.Text(t.text()));
                case PromptPart.Image img -> {
                    ImageProcessor.Patches patches = processor.process(img.pixels());
                    images.add(patches);
                    parts.add(new ChatPrompt.Image(patches.count() / merge));
                }
            }
        }
        return new Built(ChatPrompt.build(tokenizer, request.system(), parts), List.copyOf(images));
    }

    public KimiTokenizer tokenizer() {
        return tokenizer;
    }

    public ImageProcessor processor() {
        return processor;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    @Override
    public int templateTokens(String system) {
        return ChatPrompt.build(tokenizer, system, List.of()).length();
    }

    @Override
    public int imageTokens(int width, int height) {
        return processor.tokensForImage(width, height);
    }

    @Override
    public int imagePartTokens(int width, int height) {
        return imageMarkers + imageTokens(width, height);
    }

    @Override
    public int imageAlignment() {
        return Math.max(processor.config().geometry().alignWidth(), processor.config().geometry().alignHeight());
    }

    @Override
    public int textTokens(String text) {
        return tokenizer.count(text);
    }
}

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

    /** A built prompt: ids with image spans, and its images in prompt order. */
    public record Built(ChatPrompt.Tokens tokens, List<PromptImage> inputs) {
        /** Each image's patches in prompt order (processing those not processed yet). */
        public List<ImageProcessor.Patches> images() {
            return inputs.stream().map(PromptImage::patches).toList();
        }
    }

    /**
     * One image of a built prompt: its identity and its patches. An image that came with a key is processed only
     * when its patches are asked for (a cached encoding needs none); one without is processed at once and keyed by
     * the SHA-256 of its patch values and grid, i.e. of exactly what the vision tower would see.
     */
    public static final class PromptImage {
        private final java.awt.image.BufferedImage source;
        private final ImageProcessor processor;
        private final int tokens;
        private String key;
        private ImageProcessor.Patches patches;

        PromptImage(java.awt.image.BufferedImage source, String key, ImageProcessor processor, int merge) {
            this.source = source;
            this.processor = processor;
            if (key == null) {
                this.patches = processor.process(source);
                this.key = "patches:" + patchDigest(patches);
                this.tokens = patches.count() / merge;
            } else {
                this.key = "image:" + key;
                this.tokens = processor.tokensForImage(source.getWidth(), source.getHeight());
            }
        }

        public String key() {
            return key;
        }

        /** Language-model tokens this image takes. */
        public int tokens() {
            return tokens;
        }

        public synchronized ImageProcessor.Patches patches() {
            if (patches == null) {
                patches = processor.process(source);
            }
            return patches;
        }

        static String patchDigest(ImageProcessor.Patches p) {
            try {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
                b.putInt(p.gridHeight()).putInt(p.gridWidth()).putInt(p.patchSize());
                for (float v : p.pixels()) {
                    if (b.remaining() < 4) {
                        md.update(b.array(), 0, b.position());
                        b.clear();
                    }
                    b.putFloat(v);
                }
                md.update(b.array(), 0, b.position());
                return java.util.HexFormat.of().formatHex(md.digest());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    public Built build(GenerateRequest request) {
        List<ChatPrompt.Part> parts = new ArrayList<>();
        List<PromptImage> images = new ArrayList<>();
        for (PromptPart p : request.parts()) {
            switch (p) {
                case PromptPart.Text t -> parts.add(new ChatPrompt.Text(t.text()));
                case PromptPart.Image img -> {
                    PromptImage image = new PromptImage(img.pixels(), img.key(), processor, merge);
                    images.add(image);
                    parts.add(new ChatPrompt.Image(image.tokens()));
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

package dev.quire.vlm.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Kimi-VL's chat template as token ids:
 * {@code <|im_system|>system<|im_middle|>SYS<|im_end|><|im_user|>user<|im_middle|>CONTENT<|im_end|><|im_assistant|>assistant<|im_middle|>},
 * where an image in CONTENT is {@code <|media_start|>image<|media_content|>} + one {@code <|media_pad|>} per image
 * token + {@code <|media_end|>}. Text parts are encoded as ordinary text.
 *
 * <p>The system turn is always there: like Kimi-VL's own template (its Hugging Face processor, vLLM and the other
 * ports), a conversation that brings no system message gets {@link #DEFAULT_SYSTEM}. {@link #system(String)} is the
 * one place that rule lives; the embedded engine, the prompt builder's token arithmetic and the openai-compatible
 * engine's messages all go through it.
 */
public final class ChatPrompt {
    public static final String DEFAULT_SYSTEM = "You are a helpful assistant";

    private ChatPrompt() {
    }

    /** The system text the template uses: the conversation's own, or the default when it has none (null). */
    public static String system(String system) {
        return system == null ? DEFAULT_SYSTEM : system;
    }

    /** One piece of the user's turn. */
    public sealed interface Part {
    }

    public record Text(String text) implements Part {
    }

    /** An image that the vision tower turns into {@code tokens} embeddings. */
    public record Image(int tokens) implements Part {
        public Image {
            if (tokens <= 0) {
                throw new IllegalArgumentException("an image costs at least one token, got " + tokens);
            }
        }
    }

    /** Where an image's {@code <|media_pad|>} run sits in the prompt. */
    public record ImageSpan(int start, int length) {
    }

    public record Tokens(int[] ids, List<ImageSpan> images) {
        public int length() {
            return ids.length;
        }
    }

    /** The prompt for one user turn; {@code system} null means the template's default system turn. */
    public static Tokens build(KimiTokenizer tok, String system, List<Part> user) {
        int imSystem = tok.requireSpecial("<|im_system|>");
        int imUser = tok.requireSpecial("<|im_user|>");
        int imAssistant = tok.requireSpecial("<|im_assistant|>");
        int imMiddle = tok.requireSpecial("<|im_middle|>");
        int imEnd = tok.requireSpecial("<|im_end|>");
        Ids out = new Ids();
        List<ImageSpan> spans = new ArrayList<>();
        out.add(imSystem).add(tok.encode("system")).add(imMiddle).add(tok.encode(system(system))).add(imEnd);
        out.add(imUser).add(tok.encode("user")).add(imMiddle);
        for (Part p : user) {
            switch (p) {
                case Text t -> out.add(tok.encode(t.text()));
                case Image img -> {
                    out.add(tok.requireSpecial("<|media_start|>")).add(tok.encode("image"))
                            .add(tok.requireSpecial("<|media_content|>"));
                    spans.add(new ImageSpan(out.size, img.tokens()));
                    int pad = tok.requireSpecial("<|media_pad|>");
                    for (int i = 0; i < img.tokens(); i++) {
                        out.add(pad);
                    }
                    out.add(tok.requireSpecial("<|media_end|>"));
                }
            }
        }
        out.add(imEnd).add(imAssistant).add(tok.encode("assistant")).add(imMiddle);
        return new Tokens(out.toArray(), List.copyOf(spans));
    }

    /** Stop tokens of the template: end of turn, and end of sequence when the tokenizer has it. */
    public static int[] stopTokens(KimiTokenizer tok) {
        int imEnd = tok.requireSpecial("<|im_end|>");
        return tok.special("[EOS]").isPresent() ? new int[] {imEnd, tok.special("[EOS]").getAsInt()} : new int[] {imEnd};
    }

    private static final class Ids {
        int[] a = new int[256];
        int size;

        Ids add(int id) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = id;
            return this;
        }

        Ids add(int[] ids) {
            for (int id : ids) {
                add(id);
            }
            return this;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, size);
        }
    }
}

package dev.quire.vlm.engine;

/**
 * What a prompt costs a model, in its own tokens, without running it: the arithmetic a prompt planner needs.
 * Every number comes from the same code that builds the engine's prompt, so a plan that fits by these counts
 * fits the engine exactly.
 */
public interface TokenCosts {

    /** Most tokens (prompt + answer) one request may use. */
    int contextLength();

    /** Tokens of the chat template with an empty user turn: system turn, user and assistant headers. */
    int templateTokens(String system);

    /** Image embeddings (vision tokens) an image of this size becomes. */
    int imageTokens(int width, int height);

    /** Tokens one image part adds to a prompt: its media markers plus {@link #imageTokens}. */
    int imagePartTokens(int width, int height);

    /** Pixel grid images are padded to (patch × merge, 28 for MoonViT): a side that is a multiple costs no padding. */
    int imageAlignment();

    /** Tokens one text part adds to a prompt. */
    int textTokens(String text);
}

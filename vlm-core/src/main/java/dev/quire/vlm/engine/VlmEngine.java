package dev.quire.vlm.engine;

/**
 * A vision-language model the platform can ask: the embedded Kimi-VL model, or (later) a remote
 * OpenAI-compatible server. Batch jobs use only this interface; no runtime types appear in it.
 */
public interface VlmEngine extends AutoCloseable {

    GenerateResult generate(GenerateRequest request);

    /** LLM tokens one image of this size costs, by the same arithmetic the engine's prompt uses. */
    int tokensForImage(int width, int height);

    /** Tokens of plain text (as it would be encoded inside a prompt). */
    int tokensForText(String text);

    /** Most tokens (prompt + answer) one request may use. */
    int contextLength();

    ModelIdentity identity();

    @Override
    void close();
}

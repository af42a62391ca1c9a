package dev.quire.vlm.engine;

/**
 * A vision-language model the platform can ask: the embedded Kimi-VL model, or (later) a remote
 * OpenAI-compatible server. Batch jobs use only this interface; no runtime types appear in it.
 */
public interface VlmEngine extends AutoCloseable {

    GenerateResult generate(GenerateRequest request);

    /** Token arithmetic of this engine's prompts (images, text, template, context), for planning. */
    TokenCosts costs();

    /** Most tokens (prompt + answer) one request may use. */
    default int contextLength() {
        return costs().contextLength();
    }

    ModelIdentity identity();

    @Override
    void close();
}

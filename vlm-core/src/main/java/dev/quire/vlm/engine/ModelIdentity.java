package dev.quire.vlm.engine;

/**
 * Which model answered: stored with every answer so results are comparable and reproducible.
 *
 * @param engine     "embedded" or "openai-compatible"
 * @param name       checkpoint folder name (or served model name)
 * @param checkpoint SHA-256 over the configuration and tokenizer files and every weight file's name, size and
 *                   SHA-256 of its bytes (the weights themselves; digests cached under $QUIRE_HOME), or, for a
 *                   remote engine, over the configuration and tokenizer files only
 * @param demo       the built-in demo model: random weights, answers are not meaningful
 * @param device     where it ran ("cpu", "cuda:0")
 * @param precision  the compute precision of the matrix products ("float32", "bfloat16", "float16"), or "server"
 *                   when a remote server chose it
 */
public record ModelIdentity(String engine, String name, String checkpoint, boolean demo, String device, String precision) {
    @Override
    public String toString() {
        return engine + ":" + name + (demo ? " [DEMO MODEL: answers are not meaningful]" : "") + " on " + device + " in "
                + precision;
    }
}

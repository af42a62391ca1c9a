package dev.quire.vlm.engine;

/**
 * Which model answered: stored with every answer so results are comparable and reproducible.
 *
 * @param engine     "embedded" or "openai-compatible"
 * @param name       checkpoint folder name (or served model name)
 * @param checkpoint SHA-256 over config.json and every weight file's name, size and header (the weights'
 *                   layout and identity, without reading gigabytes of data)
 * @param demo       the built-in demo model: random weights, answers are not meaningful
 * @param device     where it ran ("cpu", "cuda:0")
 */
public record ModelIdentity(String engine, String name, String checkpoint, boolean demo, String device) {
    @Override
    public String toString() {
        return engine + ":" + name + (demo ? " [DEMO MODEL: answers are not meaningful]" : "") + " on " + device;
    }
}

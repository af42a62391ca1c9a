package dev.quire.vlm.config;

/** A checkpoint's configuration is missing something or holds a value the model cannot use. */
public class ConfigError extends RuntimeException {
    public ConfigError(String message) {
        super(message);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
    }
}

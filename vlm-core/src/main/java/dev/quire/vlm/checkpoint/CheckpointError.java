package dev.quire.vlm.checkpoint;

/** A checkpoint file is missing, malformed, or does not hold what the configuration says it must. */
public class CheckpointError extends RuntimeException {
    public CheckpointError(String message) {
        super(message);
    }

    public CheckpointError(String message, Throwable cause) {
        super(message, cause);
    }
}

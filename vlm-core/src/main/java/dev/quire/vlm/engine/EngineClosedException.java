package dev.quire.vlm.engine;

/** The engine was closed (the process is shutting down) while a request was in flight: not the request's fault. */
public final class EngineClosedException extends IllegalStateException {
    public EngineClosedException(String message) {
        super(message);
    }
}

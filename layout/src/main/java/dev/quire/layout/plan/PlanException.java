package dev.quire.layout.plan;

/** A question over a document that cannot be planned as asked; the message says why and what to change. */
public final class PlanException extends RuntimeException {
    public PlanException(String message) {
        super(message);
    }
}

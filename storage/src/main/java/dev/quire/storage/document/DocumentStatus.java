package dev.quire.storage.document;

/** Where a document stands. PENDING until its run processes it; the others are final. */
public enum DocumentStatus {
    PENDING, READY, PARTIAL, REJECTED, UNSUPPORTED;

    public boolean isFinal() {
        return this != PENDING;
    }
}

package dev.quire.storage.ingest;

/** What became of one input file. DUPLICATE: its bytes were already a document (see its document id). */
public enum InputStatus { PENDING, READY, PARTIAL, REJECTED, UNSUPPORTED, DUPLICATE }

package dev.quire.batch.cli;

import dev.quire.ingestion.Fingerprint;
import dev.quire.storage.document.Document;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A command-line DOC_ID_OR_FILE: a stored document's id, or a file found among stored documents by its SHA-256. */
record DocumentArg(String text) {

    boolean isFile() {
        return !text.matches("\\d+");
    }

    Path file() {
        return Path.of(text);
    }

    /** The stored document it names; empty for a file not ingested yet. */
    Optional<Long> stored() {
        if (!isFile()) {
            return Optional.of(Long.parseLong(text));
        }
        if (!Files.isRegularFile(file())) {
            throw new IllegalArgumentException(text + " is neither a document id nor a file");
        }
        String sha;
        try {
            sha = Fingerprint.of(file()).sha256();
        } catch (IOException e) {
            throw new UncheckedIOException(text + ": cannot be read: " + e.getMessage(), e);
        }
        return QuarkusTransaction.requiringNew().call(() -> Document.findBySha256(sha).map(d -> d.id));
    }
}

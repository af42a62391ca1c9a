package dev.quire.batch.cli;

import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import dev.quire.ingestion.Fingerprint;
import dev.quire.storage.document.DocumentStatus;
import java.util.List;
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

    /**
     * The stored document it names, ingesting a file first when it is not stored yet (as ask and plan do). Prints why
     * and returns null when there is none, or when the document has no pages to use (its status and reason).
     */
    Long resolveUsable(String command, IngestService ingest, IngestProgress live) throws InterruptedException {
        Optional<Long> id;
        try {
            id = stored();
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("quire " + command + ": " + e.getMessage());
            return null;
        }
        if (id.isEmpty()) {
            IngestCommand.Result r = IngestCommand.run(ingest, live, List.of(file().toString()));
            if (!r.ok()) {
                return null;
            }
            id = stored();
        }
        long doc = id.orElseThrow();
        Document d = QuarkusTransaction.requiringNew().call(() -> Document.<Document>findById(doc));
        if (d == null) {
            System.err.println("quire " + command + ": no document " + doc + " (see ./quire status)");
            return null;
        }
        if (d.status != DocumentStatus.READY && d.status != DocumentStatus.PARTIAL) {
            System.err.println("quire " + command + ": document " + doc + " (" + d.fileName + ") is " + d.status
                    + (d.reason == null ? "" : ": " + d.reason) + "; only READY and PARTIAL documents have pages to ask about");
            return null;
        }
        return doc;
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

package dev.quire.batch.extract;

import jakarta.batch.api.chunk.ItemProcessor;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;

/** Answers every question of the job about the claimed document (see {@link DocumentExtractor}). */
@Named("extractDocument")
@Dependent
public class ExtractDocument implements ItemProcessor {
    private final DocumentExtractor extractor;
    private final ExtractProgress progress;

    public ExtractDocument(DocumentExtractor extractor, ExtractProgress progress) {
        this.extractor = extractor;
        this.progress = progress;
    }

    /** A processed claim and what it came to. */
    public record Done(WorkQueue.Claim claim, DocumentExtractor.Outcome outcome) {
    }

    @Override
    public Object processItem(Object item) {
        WorkQueue.Claim claim = (WorkQueue.Claim) item;
        DocumentExtractor.Outcome outcome;
        try {
            outcome = extractor.process(claim, progress::stored);
        } catch (RuntimeException e) {
            // Unexpected: the document is marked FAILED with the reason; the other documents go on.
            outcome = new DocumentExtractor.Outcome(0, 0, 0, "document " + claim.documentId() + ": " + e);
        }
        return new Done(claim, outcome);
    }
}

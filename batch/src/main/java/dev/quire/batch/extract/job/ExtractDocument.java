package dev.quire.batch.extract.job;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.DocumentExtractor;
import dev.quire.batch.extract.WorkQueue;
import jakarta.batch.api.chunk.ItemProcessor;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;

/** Answers every question of the job about the claimed document (see {@link DocumentExtractor}). */
@Named("extractDocument")
@Dependent
public class ExtractDocument implements ItemProcessor {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(ExtractDocument.class);
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
        } catch (dev.quire.vlm.engine.EngineClosedException e) {
            throw e; // the process is stopping: record nothing, the claim's lease runs out and the document is redone
        } catch (RuntimeException e) {
            // Unexpected: every question not yet answered gets a FAILED row with the reason, the document is
            // marked FAILED, and the other documents go on.
            LOG.errorf(e, "document %d of job %d failed", claim.documentId(), claim.jobId());
            String reason = "document " + claim.documentId() + ": " + e;
            int failed = extractor.failRemaining(claim, reason, progress::stored);
            outcome = new DocumentExtractor.Outcome(0, failed, 0, reason);
        }
        return new Done(claim, outcome);
    }
}

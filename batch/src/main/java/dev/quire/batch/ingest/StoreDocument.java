package dev.quire.batch.ingest;

import dev.quire.storage.document.Document;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.PageStatus;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.SourceFile;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;
import jakarta.persistence.EntityManager;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Writes processed inputs in the chunk's transaction: the document's outcome, its pages and the input's
 * status. Idempotent: a chunk redone after a crash replaces the document's pages rather than adding rows.
 */
@Named("storeDocument")
@Dependent
public class StoreDocument extends AbstractItemWriter {
    private final EntityManager em;
    private final dev.quire.batch.metrics.QuireMetrics metrics;

    public StoreDocument(EntityManager em, dev.quire.batch.metrics.QuireMetrics metrics) {
        this.em = em;
        this.metrics = metrics;
    }

    @Override
    public void writeItems(List<Object> items) {
        OffsetDateTime now = OffsetDateTime.now();
        for (Object item : items) {
            ProcessedInput in = (ProcessedInput) item;
            Document doc = em.find(Document.class, in.documentId());
            doc.status = in.status();
            doc.reason = in.reason();
            doc.mediaType = in.mediaType();
            doc.originalBlob = in.originalBlob();
            doc.convertedBlob = in.convertedBlob();
            doc.convertMs = in.convertMs();
            doc.pageCount = in.status() == DocumentStatus.READY || in.status() == DocumentStatus.PARTIAL
                    ? in.pages().size() : null;
            doc.pagesFailed = (int) in.failedPages();
            doc.renderGeometry = in.renderGeometry();
            doc.updatedAt = now;
            Page.delete("documentId", doc.id);
            for (ProcessedInput.PageResult r : in.pages()) {
                page(doc.id, r).persist();
            }
            SourceFile f = em.find(SourceFile.class, in.sourceFileId());
            f.status = InputStatus.valueOf(in.status().name());
            f.reason = in.reason();
            f.processedAt = now;
            metrics.documentIngested(in.status().name(), (int) in.pages().stream().filter(ProcessedInput.PageResult::ok).count(),
                    (int) in.failedPages());
        }
    }

    private static Page page(long documentId, ProcessedInput.PageResult r) {
        Page p = new Page();
        p.documentId = documentId;
        p.pageNo = r.pageNo();
        if (!r.ok()) {
            p.status = PageStatus.FAILED;
            p.error = r.error();
            return p;
        }
        p.status = PageStatus.OK;
        p.widthPt = r.widthPt();
        p.heightPt = r.heightPt();
        p.rotation = r.rotation();
        p.widthPx = r.widthPx();
        p.heightPx = r.heightPx();
        p.contentWidthPx = r.contentWidthPx();
        p.contentHeightPx = r.contentHeightPx();
        p.dpi = r.dpi();
        p.imageSha256 = r.imageSha256();
        p.text = r.text();
        p.words = r.words();
        p.textSource = r.textSource();
        p.ocrMs = r.ocrMs();
        p.renderMs = r.renderMs();
        p.textMs = r.textMs();
        p.blank = r.ink() == null;
        if (r.ink() != null) {
            p.inkX = r.ink().x();
            p.inkY = r.ink().y();
            p.inkWidth = r.ink().width();
            p.inkHeight = r.ink().height();
        }
        p.passageEmbeddings = r.passages();
        p.embeddingModel = r.embeddingModel();
        p.embedMs = r.passages() == null ? null : r.embedMs();
        return p;
    }
}

package dev.quire.batch.ingest;

import dev.quire.layout.render.InkBox;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.document.TextSource;
import dev.quire.storage.document.WordBox;
import java.util.List;

/**
 * What processing one input produced, ready to be written in the chunk's transaction: the document's
 * outcome and one entry per page (rendered, or failed with the error). Page images are already in the
 * blob store (content-addressed, so a redone chunk rewrites identical files).
 */
record ProcessedInput(long sourceFileId, long documentId, String mediaType, DocumentStatus status, String reason,
                      String originalBlob, String convertedBlob, Integer convertMs, List<PageResult> pages,
                      String renderGeometry) {

    record PageResult(int pageNo, String error, float widthPt, float heightPt, int rotation, int widthPx, int heightPx,
                      int contentWidthPx, int contentHeightPx, float dpi, String imageSha256, String text,
                      List<WordBox> words, int renderMs, int textMs, InkBox ink, byte[] passages, String embeddingModel,
                      int embedMs, TextSource textSource, Integer ocrMs) {

        static PageResult failed(int pageNo, String error) {
            return new PageResult(pageNo, error, 0, 0, 0, 0, 0, 0, 0, 0, null, null, null, 0, 0, null, null, null, 0,
                    null, null);
        }

        boolean ok() {
            return error == null;
        }
    }

    long failedPages() {
        return pages.stream().filter(p -> !p.ok()).count();
    }
}

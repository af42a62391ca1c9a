package dev.quire.batch.ingest;

import dev.quire.batch.QuireConfig;
import dev.quire.ingestion.Fingerprint;
import dev.quire.ingestion.Inspection;
import dev.quire.ingestion.Inspector;
import dev.quire.layout.plan.PassageEmbedder;
import dev.quire.layout.render.InkBox;
import dev.quire.layout.render.PagePng;
import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.render.RenderedPage;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.document.TextSource;
import dev.quire.storage.document.WordBox;
import dev.quire.ingestion.office.OfficeConversions;
import dev.quire.layout.ocr.PageOcr;
import dev.quire.layout.text.PageText;
import dev.quire.layout.text.Word;
import java.nio.file.Files;
import dev.quire.storage.ingest.SourceFile;
import jakarta.batch.api.chunk.ItemProcessor;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Processes one input: re-checks its bytes, inspects it (type, limits, readability), stores the original,
 * converts an Office file to PDF (LibreOffice), renders every page at the configured model's native resolution
 * ({@link RenderGeometry}) into the blob store, extracts the text layer, measures the ink box
 * and embeds the text's passages (for planning). A page that
 * fails costs that page (document PARTIAL); a document that cannot be opened, or whose every page fails,
 * is REJECTED with the reason. Nothing here throws for bad input.
 */
@Named("renderInput")
@Dependent
public class RenderInput implements ItemProcessor {
    private static final Logger LOG = Logger.getLogger(RenderInput.class);
    private static final int MAX_LISTED_FAILURES = 5;

    private final EntityManager em;
    private final BlobStore blobs;
    private final IngestProgress progress;
    private final RenderSettings settings;
    private final String geometryKey;
    private final Inspector inspector;
    private final boolean embedPassages;

    private final Converters converters;
    private final PageOcr ocr;

    public RenderInput(EntityManager em, BlobStore blobs, IngestProgress progress, QuireConfig config,
                       Converters converters, RenderGeometry geometry) {
        this.em = em;
        this.blobs = blobs;
        this.progress = progress;
        RenderGeometry.Resolved g = geometry.current();
        this.settings = g.settings();
        this.geometryKey = g.key();
        this.converters = converters;
        this.inspector = new Inspector(config.ingest().limits(config.render().effectiveMainMemoryBytes()),
                converters.officeUnavailable());
        this.embedPassages = config.ingest().embedPassages();
        this.ocr = converters.ocr();
    }

    @Override
    public Object processItem(Object item) {
        SourceFile input = em.find(SourceFile.class, (Long) item);
        Path path = Path.of(input.path);
        String name = String.valueOf(path.getFileName());
        org.jboss.logging.MDC.put(dev.quire.batch.logging.LibraryWarnings.INPUT, name);
        ProcessedInput result;
        try {
            result = process(input, path, name);
        } finally {
            org.jboss.logging.MDC.remove(dev.quire.batch.logging.LibraryWarnings.INPUT);
        }
        LOG.debugf("%s: %s, %d pages, %d failed", name, result.status(), result.pages().size(), result.failedPages());
        return result;
    }

    private ProcessedInput process(SourceFile input, Path path, String name) {
        Fingerprint fp;
        try {
            fp = Fingerprint.of(path);
        } catch (IOException e) {
            return rejected(input, null, name + ": cannot be read: " + e.getMessage());
        }
        if (!fp.sha256().equals(input.sha256)) {
            return rejected(input, null, name + ": file changed between scan and processing (ingest it again)");
        }
        Inspection inspection = inspector.inspect(path, fp);
        switch (inspection.verdict()) {
            case REJECTED -> {
                return rejected(input, inspection.mediaType(), inspection.reason());
            }
            case UNSUPPORTED -> {
                return new ProcessedInput(input.id, input.documentId, inspection.mediaType(), DocumentStatus.UNSUPPORTED,
                        inspection.reason(), null, null, null, List.of(), null);
            }
            case ACCEPTED -> {
                String original = blobs.putFile(path);
                if (inspection.kind() == Inspection.Kind.OFFICE) {
                    return convertAndRender(input, path, name, inspection, original);
                }
                return render(input, path, name, inspection, inspection.mediaType(), original, null, null);
            }
            default -> throw new IllegalStateException("unknown verdict " + inspection.verdict());
        }
    }

    /**
     * An Office file: LibreOffice makes a PDF of it (kept in the blob store beside the original), whose pages are
     * rendered like any PDF's. A file the converter cannot take, or that makes it hang, is REJECTED with the reason.
     */
    private ProcessedInput convertAndRender(SourceFile input, Path path, String name, Inspection inspection,
                                            String original) {
        Path work;
        try {
            work = Files.createTempDirectory("quire-convert");
        } catch (IOException e) {
            return rejected(input, inspection.mediaType(), name + ": no scratch folder for the conversion: " + e.getMessage());
        }
        try {
            OfficeConversions.Result conv = converters.office().convert(path, name, work);
            if (!conv.ok()) {
                return rejected(input, inspection.mediaType(), conv.error());
            }
            Inspection pdf = inspector.inspectPdf(conv.pdf(), name + " (as PDF)", Fingerprint.of(conv.pdf()));
            if (!pdf.accepted()) {
                return rejected(input, inspection.mediaType(), pdf.reason());
            }
            String converted = blobs.putFile(conv.pdf());
            return render(input, conv.pdf(), name, pdf, inspection.mediaType(), original, converted, (int) conv.millis());
        } catch (IOException | RuntimeException e) {
            return rejected(input, inspection.mediaType(), name + ": conversion to PDF failed: " + message(e));
        } finally {
            try (var files = Files.list(work)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(work);
            } catch (IOException e) {
                LOG.debugf("%s: scratch folder %s not removed: %s", name, work, e.getMessage());
            }
        }
    }

    private ProcessedInput render(SourceFile input, Path path, String name, Inspection inspection, String mediaType,
                                  String original, String converted, Integer convertMs) {
        List<ProcessedInput.PageResult> pages;
        PageSource source;
        try {
            source = PageSource.open(path, inspection.mediaType(), settings);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return rejected(input, mediaType, name + ": cannot be opened for rendering: " + message(e));
        }
        try {
            pages = renderPages(source, inspection.pageCount(), this::renderPage, ok -> progress.pageDone(ok));
        } finally {
            try {
                source.close();
            } catch (IOException | RuntimeException e) {
                LOG.warnf("%s: closing failed after rendering: %s", name, message(e));
            }
        }
        List<ProcessedInput.PageResult> failed = pages.stream().filter(p -> !p.ok()).toList();
        DocumentStatus status;
        String reason = null;
        if (pages.isEmpty()) {
            status = DocumentStatus.REJECTED;
            reason = name + ": has no pages to render";
        } else if (failed.isEmpty()) {
            status = DocumentStatus.READY;
        } else if (failed.size() == pages.size()) {
            status = DocumentStatus.REJECTED;
            reason = name + ": no page could be rendered; " + failed.getFirst().error();
        } else {
            status = DocumentStatus.PARTIAL;
            reason = name + ": " + failed.size() + " of " + pages.size() + " pages failed (" + failed.stream()
                    .limit(MAX_LISTED_FAILURES).map(ProcessedInput.PageResult::error)
                    .collect(Collectors.joining("; ")) + (failed.size() > MAX_LISTED_FAILURES ? "; …" : "") + ")";
        }
        return new ProcessedInput(input.id, input.documentId, mediaType, status, reason, original, converted, convertMs,
                pages, status == DocumentStatus.REJECTED ? null : geometryKey);
    }

    /** Renders one page; never throws for a bad page. */
    interface PageRenderer {
        ProcessedInput.PageResult render(PageSource source, int index);
    }

    /**
     * Every page of an open source, in order: each is rendered or failed with its reason. Should rendering stop
     * altogether (an error the page could not absorb), the pages not reached are listed as failed with that reason,
     * so the document never loses pages silently.
     */
    static List<ProcessedInput.PageResult> renderPages(PageSource source, int expectedPages, PageRenderer renderer,
                                                       java.util.function.Consumer<Boolean> done) {
        List<ProcessedInput.PageResult> pages = new ArrayList<>();
        int count = expectedPages;
        try {
            count = source.pageCount();
            for (int i = 0; i < count; i++) {
                ProcessedInput.PageResult page = renderer.render(source, i);
                pages.add(page);
                done.accept(page.ok());
            }
        } catch (RuntimeException | LinkageError | StackOverflowError | OutOfMemoryError | InternalError e) {
            String why = "not rendered: rendering stopped at page " + (pages.size() + 1) + ": " + message(e);
            LOG.warnf("%s", why);
            int stopped = pages.size();
            for (int i = stopped; i < count; i++) {
                pages.add(ProcessedInput.PageResult.failed(i + 1, i == stopped ? message(e) + " (page skipped)" : why));
                done.accept(false);
            }
        }
        return pages;
    }

    static String message(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "content nested too deeply (stack overflow)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private ProcessedInput.PageResult renderPage(PageSource source, int index) {
        try {
            RenderedPage p = source.render(index);
            String sha = blobs.put(PagePng.encode(p.image()));
            InkBox ink = InkBox.find(p.image()).orElse(null);
            PageText text = p.text();
            List<Float> confidences = null;
            Integer ocrMs = null;
            if (ocr != null && ink != null && ocr.wants(p)) {
                try {
                    PageOcr.Result r = ocr.recognize(source, index, p);
                    text = r.text();
                    confidences = r.confidences();
                    ocrMs = (int) (r.nanos() / 1_000_000);
                } catch (IOException | RuntimeException e) {
                    // the page itself is fine; only its words are missing, and the log says why
                    LOG.warnf("page %d: OCR failed, the page keeps %s: %s", index + 1,
                            text.words().isEmpty() ? "no words" : "its text layer", message(e));
                }
            }
            byte[] passages = null;
            long e0 = System.nanoTime();
            if (embedPassages) {
                passages = PassageEmbedder.pack(PassageEmbedder.shared().embedPage(text.text()));
            }
            int embedMs = (int) ((System.nanoTime() - e0) / 1_000_000);
            List<WordBox> words = new ArrayList<>(text.words().size());
            for (int i = 0; i < text.words().size(); i++) {
                Word w = text.words().get(i);
                words.add(new WordBox(w.text(), w.x0(), w.y0(), w.x1(), w.y1(),
                        confidences == null ? null : confidences.get(i)));
            }
            TextSource from = words.isEmpty() ? null : confidences != null ? TextSource.OCR : TextSource.TEXT_LAYER;
            return new ProcessedInput.PageResult(p.pageNumber(), null, (float) p.sourceWidth(), (float) p.sourceHeight(),
                    p.rotation(), p.fit().width(), p.fit().height(), p.fit().contentWidth(), p.fit().contentHeight(),
                    (float) p.fit().dpi(), sha, text.text(), List.copyOf(words),
                    (int) (p.renderNanos() / 1_000_000), (int) (p.textNanos() / 1_000_000), ink, passages,
                    passages == null ? null : PassageEmbedder.MODEL, embedMs, from, ocrMs);
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return ProcessedInput.PageResult.failed(index + 1, message(e) + " (page skipped)");
        }
    }

    private static ProcessedInput rejected(SourceFile input, String mediaType, String reason) {
        return new ProcessedInput(input.id, input.documentId, mediaType, DocumentStatus.REJECTED, reason, null, null, null,
                List.of(), null);
    }
}

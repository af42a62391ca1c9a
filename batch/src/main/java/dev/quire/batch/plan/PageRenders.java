package dev.quire.batch.plan;

import dev.quire.layout.render.InkBox;
import dev.quire.layout.render.PagePng;
import dev.quire.layout.render.PageSource;
import dev.quire.layout.render.RenderSettings;
import dev.quire.layout.render.RenderedPage;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.PageRender;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.hibernate.query.NativeQuery;
import org.hibernate.type.StandardBasicTypes;
import org.jboss.logging.Logger;

/**
 * Pages rendered at a fixed DPI for jobs that ask for one, made on first use from the stored original (or the PDF
 * an Office file was converted to) and kept in {@code page_render} by document, page and DPI. Rendering is exactly
 * {@code dpi / 72} pixels per point (no pixel budget, no alignment): what the official MMLongBench-Doc runs feed
 * the model's image processor, which then resizes to its own token limit. Two workers rendering the same page
 * store the same content-addressed PNG; the first row wins.
 */
final class PageRenders {
    private static final Logger LOG = Logger.getLogger(PageRenders.class);

    private final BlobStore blobs;
    private final Duration pageTimeout;

    PageRenders(BlobStore blobs, Duration pageTimeout) {
        this.blobs = blobs;
        this.pageTimeout = pageTimeout;
    }

    /** The renders of {@code pages} at {@code dpi}, rendering those not stored yet; by page number. */
    Map<Integer, PageRender> renders(Document doc, double dpi, Collection<Integer> pages) {
        float key = (float) dpi;
        Map<Integer, PageRender> out = stored(doc.id, key);
        TreeSet<Integer> missing = new TreeSet<>(pages);
        missing.removeAll(out.keySet());
        if (missing.isEmpty()) {
            return out;
        }
        boolean converted = doc.convertedBlob != null;
        String blob = converted ? doc.convertedBlob : doc.originalBlob != null ? doc.originalBlob : doc.sha256;
        String mediaType = converted ? "application/pdf" : doc.mediaType;
        long t0 = System.nanoTime();
        Path tmp = null;
        try {
            tmp = Files.createTempFile("quire-render-", ".src");
            try (InputStream in = blobs.open(blob)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            try (PageSource source = PageSource.open(tmp, mediaType, RenderSettings.fixedDpi(dpi, pageTimeout))) {
                for (int n : missing) {
                    store(render(doc.id, key, source, n));
                }
            }
        } catch (IOException | RuntimeException e) {
            String why = doc.fileName + ": cannot be opened for rendering at " + dpi + " dpi: " + message(e);
            LOG.warnf("%s", why);
            for (int n : missing) {
                PageRender r = failed(doc.id, key, n, why);
                store(r);
            }
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.debugf("scratch file %s not removed: %s", tmp, e.getMessage());
                }
            }
        }
        LOG.infof("%s: rendered %d pages at %.0f dpi in %d ms", doc.fileName, missing.size(), dpi,
                (System.nanoTime() - t0) / 1_000_000);
        return stored(doc.id, key);
    }

    private PageRender render(long documentId, float dpi, PageSource source, int pageNo) {
        long t0 = System.nanoTime();
        try {
            RenderedPage p = source.render(pageNo - 1);
            PageRender r = new PageRender();
            r.documentId = documentId;
            r.pageNo = pageNo;
            r.dpi = dpi;
            r.imageSha256 = blobs.put(PagePng.encode(p.image()));
            r.widthPx = p.image().getWidth();
            r.heightPx = p.image().getHeight();
            InkBox ink = InkBox.find(p.image()).orElse(null);
            if (ink != null) {
                r.inkX = ink.x();
                r.inkY = ink.y();
                r.inkWidth = ink.width();
                r.inkHeight = ink.height();
            }
            r.renderMs = (int) ((System.nanoTime() - t0) / 1_000_000);
            return r;
        } catch (IOException | RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return failed(documentId, dpi, pageNo, "page " + pageNo + " not rendered at " + dpi + " dpi: " + message(e));
        }
    }

    private static PageRender failed(long documentId, float dpi, int pageNo, String error) {
        PageRender r = new PageRender();
        r.documentId = documentId;
        r.pageNo = pageNo;
        r.dpi = dpi;
        r.error = error;
        return r;
    }

    /** Inserts unless another worker stored this page at this DPI first. */
    private static void store(PageRender r) {
        QuarkusTransaction.requiringNew().run(() -> {
            NativeQuery<?> q = PageRender.getEntityManager().createNativeQuery("""
                    INSERT INTO {h-schema}page_render (document_id, page_no, dpi, image_sha256, width_px, height_px, ink_x,
                        ink_y, ink_width, ink_height, render_ms, error)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                    ON CONFLICT (document_id, page_no, dpi) DO NOTHING""").unwrap(NativeQuery.class);
            q.setParameter(1, r.documentId, StandardBasicTypes.LONG);
            q.setParameter(2, r.pageNo, StandardBasicTypes.INTEGER);
            q.setParameter(3, r.dpi, StandardBasicTypes.FLOAT);
            q.setParameter(4, r.imageSha256, StandardBasicTypes.STRING);
            Integer[] ints = {r.widthPx, r.heightPx, r.inkX, r.inkY, r.inkWidth, r.inkHeight, r.renderMs};
            for (int i = 0; i < ints.length; i++) {
                q.setParameter(5 + i, ints[i], StandardBasicTypes.INTEGER);
            }
            q.setParameter(12, r.error, StandardBasicTypes.STRING);
            q.executeUpdate();
        });
    }

    private static Map<Integer, PageRender> stored(long documentId, float dpi) {
        List<PageRender> rows = QuarkusTransaction.requiringNew().call(() -> PageRender.of(documentId, dpi));
        Map<Integer, PageRender> out = new HashMap<>();
        for (PageRender r : rows) {
            out.put(r.pageNo, r);
        }
        return out;
    }

    private static String message(Throwable e) {
        if (e instanceof StackOverflowError) {
            return "content nested too deeply (stack overflow)";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}

package dev.quire.batch.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.QuireConfig;
import dev.quire.layout.plan.Demonstration;
import dev.quire.layout.plan.PageInfo;
import dev.quire.layout.plan.PassageEmbedder;
import dev.quire.layout.plan.PlanException;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.Planner;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.render.InkBox;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.PageStatus;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.engine.PromptBuilder;
import dev.quire.vlm.engine.TokenCosts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Plans questions over stored documents with the configured model's token arithmetic and stores each plan.
 * Pages ingested before ink boxes and passage embeddings were kept get them computed once here and saved.
 */
@ApplicationScoped
public class PlanService {
    private static final Logger LOG = Logger.getLogger(PlanService.class);

    private final QuireConfig config;
    private final BlobStore blobs;
    private final ObjectMapper mapper;
    private PromptBuilder costs;
    private String modelName;

    public PlanService(QuireConfig config, BlobStore blobs, ObjectMapper mapper) {
        this.config = config;
        this.blobs = blobs;
        this.mapper = mapper;
    }

    /** A stored plan. */
    /**
     * A stored plan.
     *
     * @param totalMicros loading the pages, planning and storing the plan
     */
    public record Planned(long id, long documentId, PromptPlan plan, String model, long totalMicros) {
    }

    /** The configured model's prompt builder (tokenizer + processor configuration; no weights are loaded). */
    public synchronized PromptBuilder costs() {
        if (costs == null) {
            Path dir = config.modelDir(config.vlm().model());
            costs = PromptBuilder.open(dir);
            modelName = dir.getFileName() + (DemoCheckpoint.isDemo(dir) ? " (DEMO MODEL)" : "");
        }
        return costs;
    }

    public PlanSettings settings() {
        return config.plan().settings();
    }

    /**
     * A stored document's pages as the planner sees them, and where each rendered page's image is.
     *
     * @param images blob SHA-256 of each rendered page's PNG, by page number
     */
    public record DocumentPages(Document document, List<PageInfo> pages, Map<Integer, String> images) {
    }

    /** Plans {@code question} over a stored document with the configured model's token arithmetic and stores the plan. */
    public Planned plan(long documentId, String question, PlanSettings settings) {
        PromptBuilder c = costs();
        long t0 = System.nanoTime();
        Planned p = plan(pages(documentId), question, List.of(), settings, c, modelName);
        return new Planned(p.id(), p.documentId(), p.plan(), p.model(), (System.nanoTime() - t0) / 1000);
    }

    /** The pages of a READY or PARTIAL document, ready for planning. */
    public DocumentPages pages(long documentId) {
        Document doc = QuarkusTransaction.requiringNew().call(() -> Document.<Document>findById(documentId));
        if (doc == null) {
            throw new PlanException("no document " + documentId + " (see ./quire status)");
        }
        if (doc.status != DocumentStatus.READY && doc.status != DocumentStatus.PARTIAL) {
            throw new PlanException("document " + documentId + " (" + doc.fileName + ") is " + doc.status
                    + (doc.reason == null ? "" : ": " + doc.reason) + "; only READY and PARTIAL documents have pages");
        }
        return pageInfos(doc);
    }

    /**
     * The pages of a READY or PARTIAL document as a job with {@code selection} sees them: pages past the page cap
     * become unavailable with the reason (the plan lists them as skipped), and with a DPI every other page is the
     * render at that DPI ({@code page_render}, made on first use), never the native-resolution image of ingest.
     * Text, words and passage embeddings are the page's own.
     */
    public DocumentPages pages(long documentId, PageSelection selection) {
        DocumentPages all = pages(documentId);
        if (selection == null || selection.isDefault()) {
            return all;
        }
        List<Integer> wanted = new ArrayList<>();
        for (PageInfo p : all.pages()) {
            if (p.unavailable() == null && (selection.maxPages() == null || p.number() <= selection.maxPages())) {
                wanted.add(p.number());
            }
        }
        Map<Integer, dev.quire.storage.document.PageRender> renders = selection.dpi() == null ? Map.of()
                : renders().renders(all.document(), selection.dpi(), wanted);
        List<PageInfo> out = new ArrayList<>();
        Map<Integer, String> images = new HashMap<>();
        for (PageInfo p : all.pages()) {
            if (selection.maxPages() != null && p.number() > selection.maxPages()) {
                out.add(PageInfo.missing(p.number(), selection.beyondCap()));
            } else if (p.unavailable() != null || selection.dpi() == null) {
                out.add(p);
                if (p.unavailable() == null) {
                    images.put(p.number(), all.images().get(p.number()));
                }
            } else {
                var r = renders.get(p.number());
                if (r == null || r.imageSha256 == null) {
                    out.add(PageInfo.missing(p.number(), r == null ? "page " + p.number() + " has no render at "
                            + selection.dpi() + " dpi" : r.error));
                    continue;
                }
                InkBox ink = r.inkX == null ? null : new InkBox(r.inkX, r.inkY, r.inkWidth, r.inkHeight);
                out.add(new PageInfo(p.number(), r.widthPx, r.heightPx, ink, ink == null, p.text(), p.passages(), null));
                images.put(p.number(), r.imageSha256);
            }
        }
        return new DocumentPages(all.document(), out, Map.copyOf(images));
    }

    private PageRenders renders;

    private synchronized PageRenders renders() {
        if (renders == null) {
            renders = new PageRenders(blobs, config.render().pageTimeout().orElse(
                    dev.quire.layout.render.RenderSettings.DEFAULT_PAGE_TIMEOUT));
        }
        return renders;
    }

    /** Plans a question over loaded pages with the given model's token costs and stores the plan. */
    public Planned plan(DocumentPages pages, String question, List<Demonstration> demos, PlanSettings settings,
                        TokenCosts costs, String model) {
        long t0 = System.nanoTime();
        Document doc = pages.document();
        Planner planner = new Planner(costs, PassageEmbedder.shared()::embedQuery);
        PromptPlan plan = planner.plan(doc.fileName, pages.pages(), question, demos, settings);
        String json;
        try {
            json = mapper.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plan cannot be written as JSON: " + e.getMessage(), e);
        }
        PromptPlanRecord r = new PromptPlanRecord();
        r.documentId = doc.id;
        r.question = question;
        r.requestedStrategy = plan.requested().id();
        r.strategy = plan.strategy().id();
        r.contextTokens = plan.contextTokens();
        r.peakTokens = plan.peakTokens();
        r.promptTokens = plan.totalPromptTokens();
        r.calls = plan.prompts().size();
        r.fullPages = (int) plan.fullPages();
        r.thumbnailPages = (int) plan.thumbnailPages();
        r.skippedPages = plan.skipped().size();
        r.planningMs = plan.planningMicros() / 1000f;
        r.model = model;
        r.plan = json;
        QuarkusTransaction.requiringNew().run(r::persist);
        return new Planned(r.id, doc.id, plan, model, (System.nanoTime() - t0) / 1000);
    }

    /** A stored plan read back. */
    public PromptPlan read(PromptPlanRecord r) {
        try {
            return mapper.readValue(r.plan, PromptPlan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan " + r.id + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The columns planning reads (not the word boxes, which are large and not needed). */
    public record PageRow(long id, int pageNo, PageStatus status, String error, Integer widthPx, Integer heightPx,
                          Integer inkX, Integer inkY, Integer inkWidth, Integer inkHeight, Boolean blank, String text,
                          byte[] passageEmbeddings, String imageSha256) {
    }

    /** What the planner needs of each page; fills in ink boxes and passage embeddings that were never computed. */
    DocumentPages pageInfos(Document doc) {
        List<PageRow> rows = QuarkusTransaction.requiringNew().call(() -> Page.getEntityManager().createQuery(
                "select new dev.quire.batch.plan.PlanService$PageRow(p.id, p.pageNo, p.status, p.error, p.widthPx, "
                        + "p.heightPx, p.inkX, p.inkY, p.inkWidth, p.inkHeight, p.blank, p.text, p.passageEmbeddings, "
                        + "p.imageSha256) from Page p where p.documentId = ?1 order by p.pageNo", PageRow.class)
                .setParameter(1, doc.id).getResultList());
        List<PageInfo> out = new ArrayList<>();
        Map<Integer, String> images = new HashMap<>();
        int backfilled = 0;
        for (PageRow r : rows) {
            if (r.status() != PageStatus.OK) {
                out.add(PageInfo.missing(r.pageNo(), r.error() == null ? "page was not rendered" : r.error()));
                continue;
            }
            if (r.blank() == null || r.passageEmbeddings() == null) {
                r = backfill(r);
                backfilled++;
            }
            images.put(r.pageNo(), r.imageSha256());
            InkBox ink = r.inkX() == null ? null : new InkBox(r.inkX(), r.inkY(), r.inkWidth(), r.inkHeight());
            out.add(new PageInfo(r.pageNo(), r.widthPx(), r.heightPx(), ink, Boolean.TRUE.equals(r.blank()), r.text(),
                    PassageEmbedder.unpack(r.passageEmbeddings()), null));
        }
        if (backfilled > 0) {
            LOG.infof("%s: computed ink boxes / passage embeddings of %d pages ingested without them", doc.fileName,
                    backfilled);
        }
        return new DocumentPages(doc, out, Map.copyOf(images));
    }

    /** Computes and stores what a page ingested by an older version lacks. */
    private PageRow backfill(PageRow r) {
        Integer x = r.inkX(), y = r.inkY(), w = r.inkWidth(), h = r.inkHeight();
        Boolean blank = r.blank();
        if (blank == null) {
            InkBox ink;
            try {
                ink = InkBox.find(blobs.image(r.imageSha256())).orElse(null);
            } catch (IOException e) {
                throw new UncheckedIOException("page " + r.pageNo() + ": stored image cannot be read: " + e.getMessage(), e);
            }
            blank = ink == null;
            if (ink != null) {
                x = ink.x();
                y = ink.y();
                w = ink.width();
                h = ink.height();
            }
        }
        byte[] passages = r.passageEmbeddings();
        long t0 = System.nanoTime();
        if (passages == null) {
            passages = PassageEmbedder.pack(PassageEmbedder.shared().embedPage(r.text() == null ? "" : r.text()));
        }
        int embedMs = (int) ((System.nanoTime() - t0) / 1_000_000);
        PageRow done = new PageRow(r.id(), r.pageNo(), r.status(), r.error(), r.widthPx(), r.heightPx(), x, y, w, h, blank,
                r.text(), passages, r.imageSha256());
        QuarkusTransaction.requiringNew().run(() -> {
            Page p = Page.findById(done.id());
            p.inkX = done.inkX();
            p.inkY = done.inkY();
            p.inkWidth = done.inkWidth();
            p.inkHeight = done.inkHeight();
            p.blank = done.blank();
            if (p.passageEmbeddings == null) {
                p.passageEmbeddings = done.passageEmbeddings();
                p.embeddingModel = PassageEmbedder.MODEL;
                p.embedMs = embedMs;
            }
        });
        return done;
    }
}

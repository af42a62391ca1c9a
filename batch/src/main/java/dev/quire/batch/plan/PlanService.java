package dev.quire.batch.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.QuireConfig;
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
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
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

    /** Plans {@code question} over a stored document and stores the plan. */
    public Planned plan(long documentId, String question, PlanSettings settings) {
        PromptBuilder c = costs();
        long t0 = System.nanoTime();
        Document doc = QuarkusTransaction.requiringNew().call(() -> Document.<Document>findById(documentId));
        if (doc == null) {
            throw new PlanException("no document " + documentId + " (see ./quire status)");
        }
        if (doc.status != DocumentStatus.READY && doc.status != DocumentStatus.PARTIAL) {
            throw new PlanException("document " + documentId + " (" + doc.fileName + ") is " + doc.status
                    + (doc.reason == null ? "" : ": " + doc.reason) + "; only READY and PARTIAL documents have pages");
        }
        List<PageInfo> pages = pageInfos(doc);
        Planner planner = new Planner(c, PassageEmbedder.shared()::embedQuery);
        PromptPlan plan = planner.plan(doc.fileName, pages, question, List.of(), settings);
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
        r.model = modelName;
        r.plan = json;
        QuarkusTransaction.requiringNew().run(r::persist);
        return new Planned(r.id, doc.id, plan, modelName, (System.nanoTime() - t0) / 1000);
    }

    /** A stored plan read back. */
    public PromptPlan read(PromptPlanRecord r) {
        try {
            return mapper.readValue(r.plan, PromptPlan.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored plan " + r.id + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** What the planner needs of each page; fills in ink boxes and passage embeddings that were never computed. */
    List<PageInfo> pageInfos(Document doc) {
        List<Page> pages = QuarkusTransaction.requiringNew().call(() -> Page.ofDocument(doc.id));
        List<PageInfo> out = new ArrayList<>();
        List<Page> backfilled = new ArrayList<>();
        for (Page p : pages) {
            if (p.status != PageStatus.OK) {
                out.add(PageInfo.missing(p.pageNo, p.error == null ? "page was not rendered" : p.error));
                continue;
            }
            boolean changed = false;
            if (p.blank == null) {
                InkBox ink = InkBox.find(image(p)).orElse(null);
                p.blank = ink == null;
                if (ink != null) {
                    p.inkX = ink.x();
                    p.inkY = ink.y();
                    p.inkWidth = ink.width();
                    p.inkHeight = ink.height();
                }
                changed = true;
            }
            if (p.passageEmbeddings == null) {
                long t0 = System.nanoTime();
                p.passageEmbeddings = PassageEmbedder.pack(PassageEmbedder.shared().embedPage(p.text == null ? "" : p.text));
                p.embeddingModel = PassageEmbedder.MODEL;
                p.embedMs = (int) ((System.nanoTime() - t0) / 1_000_000);
                changed = true;
            }
            if (changed) {
                backfilled.add(p);
            }
            InkBox ink = p.inkX == null ? null : new InkBox(p.inkX, p.inkY, p.inkWidth, p.inkHeight);
            out.add(new PageInfo(p.pageNo, p.widthPx, p.heightPx, ink, Boolean.TRUE.equals(p.blank), p.text,
                    PassageEmbedder.unpack(p.passageEmbeddings), null));
        }
        if (!backfilled.isEmpty()) {
            LOG.infof("%s: computed ink boxes / passage embeddings of %d pages ingested without them", doc.fileName,
                    backfilled.size());
            QuarkusTransaction.requiringNew().run(() -> backfilled.forEach(p -> Page.getEntityManager().merge(p)));
        }
        return out;
    }

    private BufferedImage image(Page p) {
        try {
            BufferedImage img = ImageIO.read(blobs.path(p.imageSha256).toFile());
            if (img == null) {
                throw new IOException("not a PNG");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("page " + p.pageNo + ": stored image " + p.imageSha256 + " cannot be read: "
                    + e.getMessage(), e);
        }
    }
}

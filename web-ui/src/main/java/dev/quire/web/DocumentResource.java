package dev.quire.web;

import dev.quire.layout.plan.PromptAssembler;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.plan.PromptPlanRecord;
import dev.quire.web.review.DocumentView;
import dev.quire.web.review.RiskAssessor;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.QueryParam;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.Page;
import dev.quire.storage.document.PageStatus;
import io.quarkus.panache.common.Sort;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.util.List;

/** Read-only API over stored documents and pages, for the review UI and scripts. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"reviewer", "admin"})
public class DocumentResource {
    private final BlobStore blobs;
    private final RiskAssessor plans;

    public DocumentResource(BlobStore blobs, RiskAssessor plans) {
        this.blobs = blobs;
        this.plans = plans;
    }

    /** {@code converted}: an Office file whose pages come from the PDF LibreOffice made of it. */
    public record DocumentSummary(long id, String fileName, String mediaType, long sizeBytes, String status,
                                  String reason, Integer pageCount, int pagesFailed, OffsetDateTime createdAt,
                                  boolean converted) {
        static DocumentSummary of(Document d) {
            return new DocumentSummary(d.id, d.fileName, d.mediaType, d.sizeBytes, d.status.name(), d.reason,
                    d.pageCount, d.pagesFailed, d.createdAt, d.convertedBlob != null);
        }
    }

    public record PageSummary(long id, int pageNo, String status, String error, Integer widthPx, Integer heightPx,
                              Float dpi, Integer renderMs, int words, String textSource, String imageUrl) {
        static PageSummary of(Page p) {
            return new PageSummary(p.id, p.pageNo, p.status.name(), p.error, p.widthPx, p.heightPx, p.dpi, p.renderMs,
                    p.words == null ? 0 : p.words.size(), p.textSource == null ? null : p.textSource.name(),
                    p.status == PageStatus.OK ? "/api/pages/" + p.id + "/image" : null);
        }
    }

    public record DocumentDetail(DocumentSummary document, List<PageSummary> pages) {
    }

    @GET
    @Path("/documents")
    public List<DocumentSummary> documents() {
        return Document.<Document>listAll(Sort.by("id")).stream().map(DocumentSummary::of).toList();
    }

    @GET
    @Path("/documents/{id}")
    public DocumentDetail document(@PathParam("id") long id) {
        Document d = Document.<Document>findByIdOptional(id)
                .orElseThrow(() -> new NotFoundException("no document " + id));
        return new DocumentDetail(DocumentSummary.of(d), Page.ofDocument(id).stream().map(PageSummary::of).toList());
    }

    /**
     * The full stored page as rendered at ingest (native resolution, padded to the encoder's grid; immutable: it is
     * named by its content). A prompt may have sent less of it — cropped to the ink, or shrunk to a thumbnail: that
     * image is {@code /api/plans/{plan}/pages/{page}/image}.
     */
    @GET
    @Path("/pages/{id}/image")
    @Produces("image/png")
    public Response pageImage(@PathParam("id") long id) {
        Page p = Page.<Page>findByIdOptional(id).orElseThrow(() -> new NotFoundException("no page " + id));
        if (p.imageSha256 == null || !blobs.contains(p.imageSha256)) {
            throw new NotFoundException("page " + id + " has no stored image");
        }
        String sha = p.imageSha256;
        return Response.ok((jakarta.ws.rs.core.StreamingOutput) out -> blobs.copyTo(sha, out))
                .header("Cache-Control", "public, max-age=31536000, immutable")
                .header("ETag", '"' + p.imageSha256 + '"')
                .build();
    }

    /**
     * The image a stored plan sent for one page: the planned crop of the stored page, scaled and padded exactly as
     * the prompt assembler does it for the engine. {@code resolution} is FULL or THUMBNAIL (default: FULL when the
     * page went in at full resolution, else its thumbnail). 404 when the plan did not send the page.
     */
    @GET
    @Path("/plans/{plan}/pages/{page}/image")
    @Produces("image/png")
    public Response sentImage(@PathParam("plan") long planId, @PathParam("page") int pageNo,
                              @QueryParam("resolution") String resolution) throws IOException {
        PromptPlanRecord rec = PromptPlanRecord.<PromptPlanRecord>findByIdOptional(planId)
                .orElseThrow(() -> new NotFoundException("no plan " + planId));
        PromptPlan plan = plans.readPlan(rec);
        if (plan == null) {
            throw new NotFoundException("plan " + planId + " cannot be read");
        }
        PromptPlan.Item item;
        if (resolution == null || resolution.isBlank()) {
            item = DocumentView.sentItem(plan, pageNo);
        } else {
            PromptPlan.Resolution r;
            try {
                r = PromptPlan.Resolution.valueOf(resolution.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new NotFoundException("resolution " + resolution + ": FULL or THUMBNAIL");
            }
            item = DocumentView.sentItem(plan, pageNo, r);
        }
        if (item == null) {
            throw new NotFoundException("plan " + planId + " did not send page " + pageNo + " at that resolution");
        }
        Page p = Page.<Page>find("documentId = ?1 and pageNo = ?2", rec.documentId, pageNo).firstResultOptional()
                .orElseThrow(() -> new NotFoundException("no page " + pageNo + " in document " + rec.documentId));
        if (p.imageSha256 == null || !blobs.contains(p.imageSha256)) {
            throw new NotFoundException("page " + pageNo + " has no stored image");
        }
        BufferedImage sent = PromptAssembler.image(item, blobs.image(p.imageSha256));
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(sent, "png", png);
        return Response.ok(png.toByteArray()).header("Cache-Control", "private, max-age=31536000, immutable").build();
    }
}

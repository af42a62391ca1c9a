package dev.quire.web;

import dev.quire.storage.blob.BlobStore;
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
public class DocumentResource {
    private final BlobStore blobs;

    public DocumentResource(BlobStore blobs) {
        this.blobs = blobs;
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

    /** The exact PNG the encoder is given for this page (immutable: it is named by its content). */
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
}

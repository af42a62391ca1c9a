package dev.quire.batch.api;

import dev.quire.batch.export.AnswerExport;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.storage.extract.ExtractJob;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Extraction jobs over REST: submit a question set over documents, follow its progress, read its answers. */
@Path("/api/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "jobs", description = "Extraction jobs: a question set asked of stored documents")
@RolesAllowed({"reviewer", "admin"})
public class JobResource {
    private final ExtractService extract;
    private final AnswerExport export;

    public JobResource(ExtractService extract, AnswerExport export) {
        this.extract = extract;
        this.export = export;
    }

    /**
     * A job request.
     *
     * @param questionSet questions and/or typed fields (demonstration images must be {@code blob:SHA256} references)
     * @param documents   all (default), ids and ranges (3,7-9), run:N, or a file-name glob
     */
    public record JobRequest(QuestionSet questionSet, String documents) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Submit an extraction job and start working it off in this process",
            description = "Returns 202 with the job's progress; poll GET /api/jobs/{id}. Workers elsewhere (quire worker) help.")
    public Response submit(JobRequest request) {
        if (request == null || request.questionSet() == null) {
            return Response.status(400).entity(Map.of("error", "body needs questionSet (questions and/or fields)")).build();
        }
        long id;
        try {
            QuestionSet qs = request.questionSet();
            QuestionSet named = new QuestionSet(qs.name() == null || qs.name().isBlank() ? "api" : qs.name(),
                    qs.questions(), qs.fields(), qs.demonstrations(), qs.plan(), qs.system());
            for (QuestionSet.Demo d : named.demonstrations()) {
                if (!d.image().startsWith("blob:")) {
                    throw new IllegalArgumentException("demonstration images must be blob:SHA256 references over the API");
                }
            }
            id = extract.submit(named, request.documents());
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(Map.of("error", e.getMessage())).build();
        }
        if (extract.progress(id).documents() > 0) {
            extract.start(id);
        }
        return Response.accepted(extract.progress(id)).location(URI.create("/api/jobs/" + id)).build();
    }

    @GET
    @Operation(summary = "Every extraction job with its progress, newest first")
    public List<ExtractService.JobProgress> list() {
        List<Long> ids = QuarkusTransaction.requiringNew().call(() -> ExtractJob.<ExtractJob>list("order by id desc")
                .stream().map(j -> j.id).toList());
        return ids.stream().map(extract::progress).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A job's progress: documents and answers by status, answers expected")
    public Response progress(@PathParam("id") long id) {
        try {
            return Response.ok(extract.progress(id)).build();
        } catch (IllegalArgumentException e) {
            return Response.status(404).entity(Map.of("error", e.getMessage())).build();
        }
    }

    @GET
    @Path("{id}/answers")
    @Operation(summary = "The job's answers: one record per (document, question), as quire export writes them",
            description = "reviewed=true adds each answer's review state, final value, reviewer and time (quire export --reviewed)")
    public Response answers(@PathParam("id") long id, @jakarta.ws.rs.QueryParam("reviewed") boolean reviewed) {
        try {
            return Response.ok(export.rows(id, reviewed)).build();
        } catch (IllegalArgumentException e) {
            return Response.status(404).entity(Map.of("error", e.getMessage())).build();
        }
    }
}

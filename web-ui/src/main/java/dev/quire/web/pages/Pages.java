package dev.quire.web.pages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.storage.document.Document;
import dev.quire.web.auth.Users;
import dev.quire.web.review.DocumentView;
import dev.quire.web.review.JobsView;
import dev.quire.web.review.ReviewQueue;
import dev.quire.web.review.Risk;
import io.quarkus.panache.common.Sort;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** The server-rendered pages of the review UI (Qute templates; every value is HTML-escaped by Qute). */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class Pages {
    private final ReviewQueue queue;
    private final DocumentView documents;
    private final JobsView jobs;
    private final Users users;
    private final SecurityIdentity identity;
    private final ObjectMapper json = new ObjectMapper();

    @Location("login.html")
    Template login;
    @Location("queue.html")
    Template queueTemplate;
    @Location("documents.html")
    Template documentsTemplate;
    @Location("document.html")
    Template documentTemplate;
    @Location("jobs.html")
    Template jobsTemplate;
    @Location("users.html")
    Template usersTemplate;

    public Pages(ReviewQueue queue, DocumentView documents, JobsView jobs, Users users, SecurityIdentity identity) {
        this.queue = queue;
        this.documents = documents;
        this.jobs = jobs;
        this.users = users;
        this.identity = identity;
    }

    /** Who is signed in, for the navigation bar. */
    public record Me(String name, boolean admin) {
    }

    private Me me() {
        return new Me(identity.getPrincipal().getName(), identity.hasRole("admin"));
    }

    @GET
    @Path("login")
    @PermitAll
    public TemplateInstance login(@QueryParam("error") String error) {
        return login.data("error", error != null);
    }

    @POST
    @Path("logout")
    @RolesAllowed({"reviewer", "admin"})
    public Response logout() {
        return Response.seeOther(URI.create("/login"))
                .cookie(new NewCookie.Builder("quarkus-credential").path("/").maxAge(0).value("").build()).build();
    }

    @GET
    @RolesAllowed({"reviewer", "admin"})
    public Response root() {
        return Response.seeOther(URI.create("/queue")).build();
    }

    /** A queue row with its badges read. */
    public record QueueRow(ReviewQueue.Row row, List<Risk.Badge> badges) {
    }

    @GET
    @Path("queue")
    @RolesAllowed({"reviewer", "admin"})
    public TemplateInstance queue(@QueryParam("job") Long job, @QueryParam("question") String question,
                                  @QueryParam("document") Long document, @QueryParam("status") String status,
                                  @QueryParam("state") String state, @QueryParam("after") String after) {
        ReviewQueue.Filter f;
        ReviewQueue.Page page;
        String error = null;
        try {
            f = new ReviewQueue.Filter(job, question, document, status, state);
            page = queue.page(f, ReviewQueue.Cursor.parse(after), ReviewQueue.DEFAULT_LIMIT);
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
            f = new ReviewQueue.Filter(null, null, null, null, null);
            page = new ReviewQueue.Page(List.of(), null);
        }
        List<QueueRow> rows = page.rows().stream().map(r -> new QueueRow(r, badges(r.badges()))).toList();
        StringBuilder q = new StringBuilder();
        append(q, "job", f.job());
        append(q, "question", f.question());
        append(q, "document", f.document());
        append(q, "status", f.status());
        append(q, "state", f.state());
        return queueTemplate.data("me", me()).data("rows", rows).data("next", page.next()).data("filter", f)
                .data("filterQuery", q.toString()).data("first", after == null || after.isBlank())
                .data("choices", queue.choices()).data("error", error)
                .data("states", List.of("UNREVIEWED", "ACCEPTED", "CORRECTED", "REJECTED"))
                .data("statuses", List.of("ANSWERED", "NOT_ANSWERABLE", "PARSE_ERROR", "FAILED"));
    }

    private static void append(StringBuilder q, String key, Object value) {
        if (value != null) {
            q.append('&').append(key).append('=').append(java.net.URLEncoder.encode(value.toString(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @GET
    @Path("documents")
    @RolesAllowed({"reviewer", "admin"})
    public TemplateInstance documentList() {
        return documentsTemplate.data("me", me()).data("documents", Document.<Document>listAll(Sort.by("id")));
    }

    @GET
    @Path("documents/{id}")
    @RolesAllowed({"reviewer", "admin"})
    public TemplateInstance document(@PathParam("id") long id, @QueryParam("answer") Long answer,
                                     @QueryParam("job") Long job) {
        DocumentView.View v = documents.view(id, answer, job).orElseThrow(() -> new NotFoundException("no document " + id));
        return documentTemplate.data("me", me()).data("v", v).data("job", job);
    }

    @GET
    @Path("jobs")
    @RolesAllowed({"reviewer", "admin"})
    public TemplateInstance jobs() {
        List<JobsView.Job> all = jobs.jobs();
        return jobsTemplate.data("me", me()).data("jobs", all)
                .data("running", all.stream().anyMatch(j -> "RUNNING".equals(j.status())));
    }

    @GET
    @Path("admin/users")
    @RolesAllowed("admin")
    public TemplateInstance users() {
        return usersTemplate.data("me", me()).data("users", users.list());
    }

    private List<Risk.Badge> badges(String s) {
        try {
            return json.readValue(s, new TypeReference<List<Risk.Badge>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored badges cannot be read: " + e.getOriginalMessage(), e);
        }
    }
}

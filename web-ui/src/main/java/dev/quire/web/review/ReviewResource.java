package dev.quire.web.review;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The review queue and reviewers' decisions over REST (what the pages' scripts call). */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({"reviewer", "admin"})
public class ReviewResource {
    private final ReviewQueue queue;
    private final ReviewService reviews;
    private final SecurityIdentity identity;

    public ReviewResource(ReviewQueue queue, ReviewService reviews, SecurityIdentity identity) {
        this.queue = queue;
        this.reviews = reviews;
        this.identity = identity;
    }

    /**
     * Answers riskiest first. Filters: job, question (key), document, status (ANSWERED, NOT_ANSWERABLE, PARSE_ERROR,
     * FAILED), state (UNREVIEWED, ACCEPTED, CORRECTED, REJECTED); {@code after} is the previous page's {@code next}.
     */
    @GET
    @Path("/queue")
    public Response queue(@QueryParam("job") Long job, @QueryParam("question") String question,
                          @QueryParam("document") Long document, @QueryParam("status") String status,
                          @QueryParam("state") String state, @QueryParam("after") String after,
                          @QueryParam("limit") @DefaultValue("50") int limit) {
        try {
            return Response.ok(queue.page(new ReviewQueue.Filter(job, question, document, status, state),
                    ReviewQueue.Cursor.parse(after), limit)).build();
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(Map.of("error", e.getMessage())).build();
        }
    }

    @GET
    @Path("/answers/{id}/review")
    public Response state(@PathParam("id") long id) {
        ReviewService.State s = reviews.state(id);
        return s == null ? Response.status(404).entity(Map.of("error", "no reviewable answer " + id)).build()
                : Response.ok(s).build();
    }

    /**
     * Accept, correct or reject an answer: {"action": "CORRECT", "value": "…", "reason": "…", "version": N} where N
     * is the review version the reviewer saw. 409 with the current state when someone else decided meanwhile.
     */
    @POST
    @Path("/answers/{id}/review")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response decide(@PathParam("id") long id, ReviewService.Decision decision) {
        ReviewService.Outcome o = reviews.decide(id, identity.getPrincipal().getName(), decision);
        return switch (o) {
            case ReviewService.Done d -> Response.ok(d.state()).build();
            case ReviewService.Conflict c -> Response.status(409).entity(Map.of("error",
                    "someone else reviewed this answer after you opened it (you saw version " + c.yourVersion()
                            + ", it is now " + c.current().version() + ")", "current", c.current())).build();
            case ReviewService.Invalid i -> Response.status(400).entity(Map.of("error", i.error())).build();
            case ReviewService.NotFound n -> Response.status(404).entity(Map.of("error", n.error())).build();
        };
    }
}

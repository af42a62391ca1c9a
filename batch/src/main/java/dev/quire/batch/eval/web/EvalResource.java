package dev.quire.batch.eval.web;

import dev.quire.batch.eval.EvalService;
import dev.quire.storage.eval.EvalRun;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Evaluation runs over HTTP as JSON: the list and a run's report (computed from its stored items).
 */
@Path("/api/eval/runs")
@Tag(name = "evaluation")
public class EvalResource {
    private final EvalService evals;

    public EvalResource(EvalService evals) {
        this.evals = evals;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Evaluation runs: benchmark, model, accuracy, F1, questions scored")
    public List<Map<String, Object>> runs() {
        return evals.runs().stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", r.id);
            m.put("benchmark", r.benchmark);
            m.put("name", r.name);
            m.put("status", r.status);
            m.put("model", r.model);
            m.put("demo_model", r.demoModel);
            m.put("questions", r.questions);
            m.put("scored", r.scored);
            m.put("accuracy", r.accuracy);
            m.put("f1", r.f1);
            m.put("report", "/eval/runs/" + r.id);
            return m;
        }).toList();
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A run's report (computed from its stored items), items included")
    public String report(@PathParam("id") long id) {
        var r = evals.reportOrNull(id);
        return r == null ? notFound(id) : r.toJson();
    }

    static String notFound(long id) {
        throw new NotFoundException("no evaluation run " + id);
    }

}

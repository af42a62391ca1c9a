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
 * Evaluation runs over HTTP: the list, a run's report as JSON, and the report page (the same HTML the command
 * writes), served by {@code quire serve} beside the review UI.
 */
@Path("/")
@Tag(name = "evaluation")
public class EvalResource {
    private final EvalService evals;

    public EvalResource(EvalService evals) {
        this.evals = evals;
    }

    @GET
    @Path("api/eval/runs")
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
    @Path("api/eval/runs/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "A run's report (computed from its stored items), items included")
    public String report(@PathParam("id") long id) {
        var r = evals.reportOrNull(id);
        return r == null ? notFound(id) : r.toJson();
    }

    @GET
    @Path("eval/runs/{id}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "A run's report page with plots")
    public String page(@PathParam("id") long id) {
        var r = evals.reportOrNull(id);
        return r == null ? notFound(id) : r.html();
    }

    @GET
    @Path("eval")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "Evaluation runs page")
    public String index() {
        StringBuilder s = new StringBuilder("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Evaluation runs"
                + "</title></head><body style=\"font:14px system-ui,sans-serif;margin:2em\"><h1>Evaluation runs</h1><table border=1 "
                + "cellpadding=4 style=\"border-collapse:collapse\"><tr><th>run</th><th>benchmark</th><th>model</th><th>scored</th>"
                + "<th>accuracy</th><th>F1</th></tr>");
        for (EvalRun r : evals.runs()) {
            s.append("<tr><td><a href=\"/eval/runs/").append(r.id).append("\">").append(r.id).append("</a></td><td>")
                    .append(r.benchmark).append("</td><td>").append(esc(String.valueOf(r.model))).append(r.demoModel ? " (DEMO MODEL)" : "")
                    .append("</td><td>").append(r.scored).append('/').append(r.questions).append("</td><td>")
                    .append(r.accuracy == null ? "—" : String.format(java.util.Locale.ROOT, "%.4f", r.accuracy)).append("</td><td>")
                    .append(r.f1 == null ? "—" : String.format(java.util.Locale.ROOT, "%.4f", r.f1)).append("</td></tr>");
        }
        return s.append("</table></body></html>").toString();
    }

    private static String notFound(long id) {
        throw new NotFoundException("no evaluation run " + id);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

package dev.quire.batch.eval.web;

import dev.quire.batch.eval.EvalService;
import dev.quire.storage.eval.EvalRun;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The evaluation pages of {@code quire serve}: the list of runs and each run's report page (the HTML the command writes). */
@Path("/eval")
@Tag(name = "evaluation")
public class EvalPages {
    private final EvalService evals;

    public EvalPages(EvalService evals) {
        this.evals = evals;
    }

    @GET
    @Path("runs/{id}")
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "A run's report page with plots")
    public String page(@PathParam("id") long id) {
        var r = evals.reportOrNull(id);
        return r == null ? EvalResource.notFound(id) : r.html();
    }

    @GET
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

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}

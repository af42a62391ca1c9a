package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Ask one question of one document (a stored document id, or a file, ingested first if needed);",
                "prints the answer with its evidence pages and stores it like any extraction job."})
public class AskCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOC_OR_FILE", description = "document id or file")
    String target;

    @Parameters(index = "1", paramLabel = "QUESTION", description = "the question")
    String question;

    private final IngestService ingest;
    private final IngestProgress ingestLive;
    private final ExtractService extract;
    private final ExtractProgress live;

    public AskCommand(IngestService ingest, IngestProgress ingestLive, ExtractService extract, ExtractProgress live) {
        this.ingest = ingest;
        this.ingestLive = ingestLive;
        this.extract = extract;
        this.live = live;
    }

    @Override
    public Integer call() throws Exception {
        Long doc = new DocumentArg(target).resolveUsable("ask", ingest, ingestLive);
        if (doc == null) {
            return 1;
        }
        long job = extract.submit(QuestionSet.single(question), String.valueOf(doc));
        if (extract.progress(job).documents() == 0) {
            System.err.println("quire ask: document " + doc + " has no usable pages (see ./quire status)");
            return 1;
        }
        boolean ok = ExtractRun.run(extract, live, job, true);
        Answer a = QuarkusTransaction.requiringNew().call(() -> Answer.<Answer>find("jobId", job).firstResult());
        if (a == null) {
            System.err.println("quire ask: no answer was stored (job " + job + " " + extract.progress(job).status() + ")");
            return 1;
        }
        System.out.println("Answer: " + (a.answer == null ? "" : a.answer));
        System.out.println("Evidence pages: " + (a.evidencePages == null || a.evidencePages.isEmpty() ? "none"
                : a.evidencePages.stream().map(String::valueOf).reduce((x, y) -> x + ", " + y).orElse("")));
        System.out.println("Status: " + a.status + (a.reason == null ? "" : " (" + a.reason + ")"));
        System.out.printf(Locale.ROOT, "Model: %s:%s%s on %s; %s strategy, %d prompt + %d answer tokens, %d call(s); "
                        + "plan %.0f ms, render %.0f ms, vision %.0f ms, prefill %.0f ms, decode %.0f ms%n",
                a.engine, a.model, Boolean.TRUE.equals(a.demoModel) ? " [" + ExtractService.DEMO_NOTICE + "]" : "",
                a.device, a.strategy, nz(a.promptTokens), nz(a.completionTokens), nz(a.calls), f(a.planMs), f(a.renderMs),
                f(a.visionMs), f(a.prefillMs), f(a.decodeMs));
        System.out.println("Stored as answer " + a.id + " of job " + job + " (plan " + a.planId + ")");
        return ok && a.status != AnswerStatus.FAILED ? 0 : 1;
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }

    private static float f(Float v) {
        return v == null ? 0 : v;
    }
}

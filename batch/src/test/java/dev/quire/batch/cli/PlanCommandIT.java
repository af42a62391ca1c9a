package dev.quire.batch.cli;

import dev.quire.batch.testing.QuireProcess;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application's `quire plan`: by file and by id, text and JSON, the report, and clear refusals. */
@Tag("slow")
class PlanCommandIT {
    @TempDir
    Path tmp;

    record Result(int exit, String out) {
    }

    Result run(Path home, String... args) throws Exception {
        Path log = tmp.resolve("out-" + System.nanoTime() + ".log");
        Process p = QuireProcess.command(home, log, Map.of("quarkus.log.level", "WARN"), args).start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "quire " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), Files.readString(log));
    }

    @Test
    void plansAStoredDocumentByFileOrIdAndRefusesClearly() throws Exception {
        Path home = tmp.resolve("home");
        Path pdf = Files.copy(Samples.file("federal-register-2020-17221.pdf"), tmp.resolve("federal-register-2020-17221.pdf"));
        try {
            assertEquals(0, run(home, "ingest", pdf.toString()).exit());

            Result byFile = run(home, "plan", pdf.toString(), "--question", "What does the trace tree record?");
            assertEquals(0, byFile.exit(), byFile.out());
            assertTrue(byFile.out().contains("Strategy: single (asked: auto)"), byFile.out());
            assertTrue(byFile.out().contains("15 pages at full resolution, 0 as thumbnails, 0 skipped"), byFile.out());

            Result json = run(home, "plan", "1", "--question", "What does the trace tree record?", "--context", "6000",
                    "--json");
            assertEquals(0, json.exit(), json.out());
            JsonNode plan = new ObjectMapper().readTree(json.out().substring(json.out().indexOf("{\n")));
            assertEquals("MULTIGRANULAR", plan.get("strategy").asText());
            assertEquals(6000, plan.get("contextTokens").asInt());
            JsonNode items = plan.get("prompts").get(0).get("items");
            int sum = plan.get("prompts").get(0).get("templateTokens").asInt();
            for (JsonNode i : items) {
                sum += i.get("tokens").asInt();
            }
            assertEquals(plan.get("prompts").get(0).get("promptTokens").asInt(), sum);
            assertTrue(sum + plan.get("answerTokens").asInt() <= 6000);

            Result report = run(home, "plan", "--all", "--question", "Q?");
            assertEquals(0, report.exit(), report.out());
            assertTrue(report.out().contains("1 documents planned"), report.out());

            // A file not stored yet is ingested first, as quire ask does; one without pages says why.
            Path fresh = Pdfs.report(tmp.resolve("fresh.pdf"), 2, 8001);
            Result ingested = run(home, "plan", fresh.toString(), "--question", "Q?");
            assertEquals(0, ingested.exit(), ingested.out());
            assertTrue(ingested.out().contains("Starting ingest run") && ingested.out().contains("(fresh.pdf, 2 pages)"),
                    ingested.out());
            Result notIngested = run(home, "plan", Files.writeString(tmp.resolve("new.pdf"), "x").toString(),
                    "--question", "Q?");
            assertEquals(1, notIngested.exit());
            assertTrue(notIngested.out().matches("(?s).*quire plan: document \\d+ \\(new.pdf\\) is UNSUPPORTED: new.pdf: "
                    + "unsupported type text/plain.*"), notIngested.out());
            Result single = run(home, "plan", "1", "--question", "Q?", "--context", "6000", "--strategy", "single");
            assertEquals(1, single.exit());
            assertTrue(single.out().contains("federal-register-2020-17221.pdf: 15 pages need"), single.out());
        } finally {
            QuireProcess.stopServer(home);
        }
    }
}

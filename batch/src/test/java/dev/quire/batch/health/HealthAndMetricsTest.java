package dev.quire.batch.health;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.testing.IngestRuns;
import dev.quire.batch.testing.PostgresResource;
import dev.quire.fixtures.Pdfs;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.batch.runtime.BatchStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The probes and the Prometheus endpoint the Kubernetes manifests point at, on a real database and blob store. */
@QuarkusTest
@QuarkusTestResource(PostgresResource.class)
class HealthAndMetricsTest {
    @Inject
    IngestService ingest;

    @Inject
    ExtractService extract;

    @Test
    void readinessChecksDatabaseBlobStoreAndModel() throws Exception {
        given().get("/q/health/live").then().statusCode(200);
        JsonPath ready = null;
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            var r = given().get("/q/health/ready");
            ready = r.jsonPath();
            if (r.statusCode() == 200) {
                break;
            }
            Thread.sleep(250); // the first probe starts loading the demo model
        }
        assertEquals("UP", ready.getString("status"), ready.prettify());
        List<String> names = ready.getList("checks.name");
        assertTrue(names.contains("blob store") && names.contains("model"), names.toString());
        assertTrue(names.stream().anyMatch(n -> n.toLowerCase().contains("database")), names.toString());
        Map<String, Object> model = ready.getMap("checks.find { it.name == 'model' }.data");
        assertEquals("embedded", model.get("engine"));
        assertTrue(String.valueOf(ready.getMap("checks.find { it.name == 'blob store' }.data").get("store")).startsWith("folder "));
    }

    @Test
    void metricsCountIngestAnswersAndModelTime() throws Exception {
        Path dir = Files.createTempDirectory("quire-metrics");
        Pdfs.report(dir.resolve("metrics-report.pdf"), 2, 9901);
        double pagesBefore = value(scrape(), "quire_pages_ingested_total");
        IngestService.Started run = IngestRuns.runToEnd(ingest, List.of(dir.toString()));
        String docs = IngestRuns.inputsByName(run.runId()).values().stream().map(f -> String.valueOf(f.documentId))
                .collect(Collectors.joining(","));
        long job = extract.submit(new QuestionSet("metrics", List.of(new QuestionSet.Question("q", "What is it?")),
                List.of(), List.of(), null, null), docs);
        assertEquals(BatchStatus.COMPLETED, extract.await(extract.start(job), null));

        String m = scrape();
        assertEquals(pagesBefore + 2, value(m, "quire_pages_ingested_total"), 0.0);
        assertTrue(value(m, "quire_documents_ingested_total{status=\"ready\"}") >= 1);
        assertTrue(value(m, "quire_answers_total{") >= 1);
        assertTrue(value(m, "quire_model_latency_seconds_count{phase=\"prefill\"}") >= 1);
        assertTrue(m.contains("quire_model_latency_seconds_bucket{phase=\"decode\""), "latency is a histogram");
        assertEquals(0, value(m, "quire_queue_depth"), 0.0, "the job is done: nothing left to claim");
        assertTrue(m.contains("quire_lease_takeovers_total"));
    }

    static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first sample whose name (and labels) start with {@code prefix}. */
    static double value(String metrics, String prefix) {
        Matcher mm = Pattern.compile("(?m)^" + Pattern.quote(prefix) + "[^ ]* ([0-9.eE+-]+|NaN)$").matcher(metrics);
        assertTrue(mm.find(), () -> "no sample " + prefix + " in\n" + metrics.lines().filter(l -> l.startsWith("quire_"))
                .collect(Collectors.joining("\n")));
        return Double.parseDouble(mm.group(1));
    }
}

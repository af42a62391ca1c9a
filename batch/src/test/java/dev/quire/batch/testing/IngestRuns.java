package dev.quire.batch.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.ingest.IngestService;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.runtime.BatchStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Runs an ingest in the test's application and waits for it (and for its run row) to finish. */
public final class IngestRuns {
    private IngestRuns() {
    }

    public static IngestService.Started runToEnd(IngestService ingest, List<String> sources) throws InterruptedException {
        IngestService.Started run = ingest.start(sources);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            BatchStatus s = ingest.status(run.executionId());
            if (s == BatchStatus.COMPLETED || s == BatchStatus.FAILED || s == BatchStatus.STOPPED) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "ingest did not finish in 5 minutes");
            Thread.sleep(100);
        }
        for (int i = 0; i < 100 && ingest.progress(run.runId()).status() == RunStatus.STARTED; i++) {
            Thread.sleep(50);
        }
        return run;
    }

    /** The run's inputs by file name. */
    public static Map<String, SourceFile> inputsByName(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> SourceFile.<SourceFile>list("runId", runId).stream()
                .collect(Collectors.toMap(f -> Path.of(f.path).getFileName().toString(), Function.identity())));
    }
}

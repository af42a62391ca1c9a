package dev.quire.batch.cli;

import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.logging.LibraryWarnings;
import dev.quire.storage.ingest.RunStatus;
import jakarta.batch.runtime.BatchStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Ingest files, folders (recursive) and glob patterns: detect, dedupe, render every page at the",
                "encoder's native resolution, store pages and text in PostgreSQL. Running the same sources again",
                "after an interruption resumes the unfinished run. Exit code 0 when the run completed (rejected",
                "inputs included), 1 when the run itself failed, 2 when another process is working on the same run."})
public class IngestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "files, folders or glob patterns (quote globs)")
    List<String> sources;

    private final IngestService ingest;
    private final IngestProgress live;

    public IngestCommand(IngestService ingest, IngestProgress live) {
        this.ingest = ingest;
        this.live = live;
    }

    @Override
    public Integer call() throws InterruptedException {
        Result r = run(ingest, live, sources);
        if (r.busy()) {
            return 2;
        }
        if (r.runId() < 0) {
            return 1;
        }
        System.out.println("See every input: ./quire status   Browse the pages: ./quire serve  (http://localhost:8080/)");
        return r.ok() ? 0 : 1;
    }

    private static String logFile() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getOptionalValue("quarkus.log.file.path", String.class)
                .orElse("the log file");
    }

    /**
     * How an ingest from the command line ended: its run (-1 when none was started), whether it completed, or that
     * another process owns it.
     */
    record Result(long runId, boolean ok, boolean busy) {
    }

    /** Runs (or resumes) an ingest with a progress display and a summary line; shared by ingest, run and ask. */
    static Result run(IngestService ingest, IngestProgress live, List<String> sources) throws InterruptedException {
        IngestService.Started run;
        LibraryWarnings.reset();
        try {
            run = ingest.start(sources);
        } catch (IngestService.RunBusyException e) {
            System.err.println("quire: " + e.getMessage());
            return new Result(-1, false, true);
        } catch (dev.quire.vlm.config.ConfigError | IngestService.GeometryChangedException e) {
            // the model's geometry cannot be read, or differs from the one the unfinished run renders for
            System.err.println("quire: " + e.getMessage());
            return new Result(-1, false, false);
        }
        System.out.println((run.resumed() ? "Resuming" : "Starting") + " ingest run " + run.runId()
                + " (job execution " + run.executionId() + ")");
        System.out.println("Pages rendered for " + run.geometry().summary());
        ProgressLine progress = ProgressLine.forStdout();
        BatchStatus status;
        IngestService.RunProgress p;
        while (true) {
            status = ingest.status(run.executionId());
            p = ingest.progress(run.runId());
            boolean over = status == BatchStatus.COMPLETED || status == BatchStatus.FAILED
                    || status == BatchStatus.STOPPED || status == BatchStatus.ABANDONED;
            if (over) {
                break;
            }
            progress.update(p.doneInputs(), p.totalInputs(), live.pages(), live.failedPages());
            Thread.sleep(Duration.ofMillis(250));
        }
        // The listener writes the run's final status after the job's; wait for it briefly.
        for (int i = 0; i < 40 && p.status() == RunStatus.STARTED; i++) {
            Thread.sleep(Duration.ofMillis(50));
            p = ingest.progress(run.runId());
        }
        progress.finish(p.doneInputs(), p.totalInputs(), live.pages(), live.failedPages());
        Map<String, Long> counts = new TreeMap<>(ingest.statusCounts(run.runId()));
        IngestService.TextCounts text = ingest.textCounts(run.runId());
        System.out.println("Run " + run.runId() + " " + p.status() + " (job " + status + "): " + counts
                + ", " + p.pagesStored() + " pages stored, " + text.convertedFiles() + " Office files converted to PDF, "
                + text.ocrPages() + " pages OCR'd");
        List<String> warnings = LibraryWarnings.summary(10);
        if (!warnings.isEmpty()) {
            System.out.println("Library warnings while reading (details in " + logFile() + "):");
            warnings.forEach(w -> System.out.println("  " + w));
        }
        return new Result(run.runId(), status == BatchStatus.COMPLETED && p.status() == RunStatus.COMPLETED, false);
    }
}

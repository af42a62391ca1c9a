package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import jakarta.batch.runtime.BatchStatus;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Work off extraction jobs from the shared PostgreSQL: claim documents (FOR UPDATE SKIP LOCKED, under a",
                "lease), answer them, repeat. Run as many as you like (one per pod); a killed worker's documents are",
                "taken over when its lease expires. Exits when no work is left, or keeps polling with --follow."})
public class WorkerCommand implements Callable<Integer> {
    @Option(names = "--job", description = "only this extraction job (default: every running job)")
    Long job;

    @Option(names = "--follow", description = "keep polling for new work instead of exiting when none is left")
    boolean follow;

    @Option(names = "--poll", defaultValue = "5s", description = "polling interval with --follow (default 5s)")
    Duration poll;

    private final ExtractService extract;
    private final ExtractProgress live;

    public WorkerCommand(ExtractService extract, ExtractProgress live) {
        this.extract = extract;
        this.live = live;
    }

    @Override
    public Integer call() throws Exception {
        System.out.println("Worker " + ProcessHandle.current().pid() + " on " + (job == null ? "every running job" : "job " + job));
        boolean failed = false;
        do {
            long before = live.documents();
            BatchStatus s = extract.await(extract.start(job), null);
            failed |= s != BatchStatus.COMPLETED;
            long did = live.documents() - before;
            if (did > 0) {
                System.out.println("Worker " + ProcessHandle.current().pid() + ": " + did + " documents, "
                        + live.answers() + " answers so far (" + live.failed() + " failed)");
            }
            if (follow && did == 0) {
                Thread.sleep(poll);
            }
        } while (follow);
        return failed ? 1 : 0;
    }
}

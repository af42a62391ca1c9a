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
                "taken over when its lease expires. Exits when every document of the job(s) is done (it waits while other",
                "workers hold documents, in case they died), or keeps polling for new jobs with --follow."})
public class WorkerCommand implements Callable<Integer> {
    @Option(names = "--job", description = "only this extraction job (default: every running job)")
    Long job;

    @Option(names = "--follow", description = "keep polling for new work instead of exiting when none is left")
    boolean follow;

    @Option(names = "--poll", defaultValue = "PT2S", description = "polling interval while waiting for work (ISO-8601, default PT2S)")
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
            boolean open = extract.openItems(job) > 0;
            if ((follow || open) && did == 0) {
                Thread.sleep(poll);
            }
            if (!follow && !open) {
                break;
            }
        } while (true);
        return failed ? 1 : 0;
    }
}

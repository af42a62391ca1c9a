package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import jakarta.batch.runtime.BatchStatus;
import java.util.Locale;

/** Runs an extraction job in this process with a progress bar and prints its summary; shared by extract, run, ask. */
final class ExtractRun {
    private ExtractRun() {
    }

    /** The documents the selection named but the job does not cover, with the reason. */
    static void printSkipped(ExtractService.JobProgress p) {
        if (!p.skipped().isEmpty()) {
            System.out.println("Skipped " + p.skipped().size() + " document(s) of the selection:");
            p.skipped().stream().limit(20).forEach(s -> System.out.println("  " + s));
            if (p.skipped().size() > 20) {
                System.out.println("  … (all of them: GET /api/jobs/" + p.jobId() + ")");
            }
        }
    }

    /** Works the job off here; true when it completed. */
    static boolean run(ExtractService extract, ExtractProgress live, long jobId, boolean quiet) throws InterruptedException {
        ExtractService.JobProgress before = extract.progress(jobId);
        if (!quiet) {
            System.out.printf(Locale.ROOT, "Extraction job %d (%s): %d documents × %d questions%n", jobId, before.name(),
                    before.documents(), before.questions());
            printSkipped(before);
        }
        long answersBefore = live.answers();
        long modelBefore = live.modelNanos();
        long execution = extract.start(jobId);
        ProgressLine bar = ProgressLine.forStdout();
        BatchStatus status = extract.await(execution, () -> {
            if (!quiet) {
                ExtractService.JobProgress p = extract.progress(jobId);
                bar.show(ProgressLine.extractFormat(p.documentsDone(), p.documents(), p.answered(), p.expected(),
                        p.failures(), live.answers() - answersBefore, bar.seconds()));
            }
        });
        ExtractService.JobProgress p = extract.progress(jobId);
        if (!quiet) {
            bar.finish(ProgressLine.extractFormat(p.documentsDone(), p.documents(), p.answered(), p.expected(),
                    p.failures(), live.answers() - answersBefore, bar.seconds()));
            double model = (live.modelNanos() - modelBefore) / 1e9;
            double wall = bar.seconds();
            System.out.printf(Locale.ROOT, "Job %d %s (execution %s): answers %s, documents %s%n", jobId, p.status(), status,
                    p.answers(), p.items());
            if (live.answers() > answersBefore) {
                // Engine time is summed per answer; requests decoded together overlap, so the sum can exceed the wall time.
                System.out.printf(Locale.ROOT, "%.1f s in %d answers: engine time summed over the answers %.1f s (%.0f%% of "
                                + "the wall time; above 100%% when requests were decoded together)%n", wall,
                        live.answers() - answersBefore, model, 100 * model / wall);
            }
            System.out.println("Reuse: " + p.reuse().describe());
            for (String by : extract.answeredBy(jobId)) {
                System.out.println("Answered by " + by);
            }
            System.out.println("Export: ./quire export --job " + jobId + " --format jsonl   (or csv)");
        }
        return status == BatchStatus.COMPLETED && "COMPLETED".equals(p.status());
    }
}

package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import jakarta.batch.runtime.BatchStatus;
import java.util.Locale;

/** Runs an extraction job in this process with a progress bar and prints its summary; shared by extract, run, ask. */
final class ExtractRun {
    private ExtractRun() {
    }

    /** Works the job off here; true when it completed. */
    static boolean run(ExtractService extract, ExtractProgress live, long jobId, boolean quiet) throws InterruptedException {
        ExtractService.JobProgress before = extract.progress(jobId);
        if (!quiet) {
            System.out.printf(Locale.ROOT, "Extraction job %d (%s): %d documents × %d questions%n", jobId, before.name(),
                    before.documents(), before.questions());
        }
        long answersBefore = live.answers();
        long modelBefore = live.modelNanos();
        long wallBefore = live.answerNanos();
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
            long model = live.modelNanos() - modelBefore;
            long wall = live.answerNanos() - wallBefore;
            System.out.printf(Locale.ROOT, "Job %d %s (execution %s): answers %s, documents %s%s%n", jobId, p.status(), status,
                    p.answers(), p.items(), wall > 0 ? String.format(Locale.ROOT, "; %.0f%% of answer time in the model",
                            100.0 * model / wall) : "");
            System.out.println("Export: ./quire export --job " + jobId + " --format jsonl   (or csv)");
        }
        return status == BatchStatus.COMPLETED && "COMPLETED".equals(p.status());
    }
}

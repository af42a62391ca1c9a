package dev.quire.batch.extract;

import dev.quire.storage.extract.Answer;
import dev.quire.storage.extract.AnswerStatus;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** Live counters of this process's extraction work (the CLI bar); totals come from the database. */
@ApplicationScoped
public class ExtractProgress {
    private final AtomicLong answers = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong documents = new AtomicLong();
    private final AtomicLong modelNanos = new AtomicLong();

    public void stored(Answer a) {
        answers.incrementAndGet();
        if (a.status == AnswerStatus.FAILED) {
            failed.incrementAndGet();
        }
        float model = nz(a.visionMs) + nz(a.prefillMs) + nz(a.decodeMs);
        modelNanos.addAndGet((long) (model * 1e6));
    }

    public void documentDone() {
        documents.incrementAndGet();
    }

    public long answers() {
        return answers.get();
    }

    public long failed() {
        return failed.get();
    }

    public long documents() {
        return documents.get();
    }

    /** Time inside the model (vision, prefill, decode) over all answers of this process, in nanoseconds. */
    public long modelNanos() {
        return modelNanos.get();
    }

    private static float nz(Float f) {
        return f == null ? 0 : f;
    }
}

package dev.quire.batch.extract.job;

import dev.quire.batch.extract.WorkQueue;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.Serializable;

/**
 * Hands out the next document this worker claims; ends when no open document is left. The claim itself is the
 * state (in PostgreSQL), so a restarted job simply claims again; the checkpoint records the last item handed out.
 */
@Named("claimWorkItems")
@Dependent
public class ClaimWorkItems extends AbstractItemReader {
    @Inject
    @BatchProperty
    String jobId;

    @Inject
    WorkQueue queue;

    private Long last;

    @Override
    public Object readItem() {
        Long job = jobId == null || jobId.isBlank() ? null : Long.valueOf(jobId);
        WorkQueue.Claim c = queue.claim(job).orElse(null);
        if (c != null) {
            last = c.itemId();
        }
        return c;
    }

    @Override
    public Serializable checkpointInfo() {
        return last;
    }
}

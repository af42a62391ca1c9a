package dev.quire.batch.extract.job;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.WorkQueue;
import jakarta.batch.api.chunk.AbstractItemWriter;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Named;
import java.util.List;

/** Marks processed documents DONE, or FAILED with the reason when the document itself could not be used. */
@Named("finishWorkItems")
@Dependent
public class FinishWorkItems extends AbstractItemWriter {
    private final WorkQueue queue;
    private final ExtractProgress progress;

    public FinishWorkItems(WorkQueue queue, ExtractProgress progress) {
        this.queue = queue;
        this.progress = progress;
    }

    @Override
    public void writeItems(List<Object> items) {
        for (Object o : items) {
            ExtractDocument.Done d = (ExtractDocument.Done) o;
            if (d.outcome().leaseLost()) {
                queue.forget(d.claim());
                continue; // another worker holds the document and finishes it
            }
            queue.finish(d.claim(), d.outcome().error() == null, d.outcome().error());
            progress.documentDone();
        }
    }
}

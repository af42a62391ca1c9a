package dev.quire.batch.ingest;

import dev.quire.storage.ingest.IngestRun;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.listener.AbstractJobListener;
import jakarta.batch.runtime.BatchStatus;
import jakarta.batch.runtime.context.JobContext;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.OffsetDateTime;

/** Marks the ingest run COMPLETED when the job ends with no input left PENDING, FAILED otherwise. */
@Named("ingestRunListener")
@Dependent
public class IngestRunListener extends AbstractJobListener {
    @Inject
    @BatchProperty
    String runId;

    @Inject
    JobContext job;

    @Override
    public void afterJob() {
        long id = Long.parseLong(runId);
        boolean ok = job.getBatchStatus() == BatchStatus.COMPLETED || job.getBatchStatus() == BatchStatus.STARTED;
        QuarkusTransaction.requiringNew().run(() -> {
            IngestRun run = IngestRun.findById(id);
            long pending = SourceFile.count("runId = ?1 and status = ?2", id, InputStatus.PENDING);
            run.status = ok && pending == 0 && run.totalInputs != null ? RunStatus.COMPLETED : RunStatus.FAILED;
            run.finishedAt = OffsetDateTime.now();
            run.owner = null;
        });
    }
}

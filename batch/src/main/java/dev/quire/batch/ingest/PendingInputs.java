package dev.quire.batch.ingest;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.api.BatchProperty;
import jakarta.batch.api.chunk.AbstractItemReader;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.persistence.EntityManager;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;

/**
 * Reads the ids of one worker's still-PENDING inputs, in input order. Because the list is derived from
 * committed rows, a restarted (or re-started) run naturally continues after the last committed chunk;
 * the checkpoint records the last input handed out, for the job repository's bookkeeping.
 */
@Named("pendingInputs")
@Dependent
public class PendingInputs extends AbstractItemReader {
    @Inject
    @BatchProperty
    String runId;

    @Inject
    @BatchProperty
    String partition;

    @Inject
    @BatchProperty
    String partitions;

    @Inject
    EntityManager em;

    private Iterator<Long> pending;
    private Long last;

    @Override
    public void open(Serializable checkpoint) {
        long run = Long.parseLong(runId);
        int k = Integer.parseInt(partition);
        int n = Integer.parseInt(partitions);
        List<Long> ids = QuarkusTransaction.joiningExisting().call(() -> em.createQuery(
                        "select f.id from SourceFile f where f.runId = :run and f.status = dev.quire.storage.ingest.InputStatus.PENDING"
                                + " and mod(f.seq, :n) = :k order by f.seq", Long.class)
                .setParameter("run", run).setParameter("n", n).setParameter("k", k)
                .getResultList());
        pending = ids.iterator();
    }

    @Override
    public Object readItem() {
        if (!pending.hasNext()) {
            return null;
        }
        last = pending.next();
        return last;
    }

    @Override
    public Serializable checkpointInfo() {
        return last;
    }
}

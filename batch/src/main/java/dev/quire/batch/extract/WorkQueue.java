package dev.quire.batch.extract;

import dev.quire.batch.ProcessIdentity;
import dev.quire.batch.QuireConfig;
import dev.quire.batch.metrics.QuireMetrics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Work items in PostgreSQL, shared by every worker process: a worker claims the next open document with
 * {@code SELECT … FOR UPDATE SKIP LOCKED} (so two workers never take the same one), holds it under a lease it
 * renews while working, and finishes it. An item whose lease ran out (its worker died) is open again; an item
 * whose workers died {@code max-attempts} times is marked FAILED with that reason instead of being retried forever.
 */
@ApplicationScoped
public class WorkQueue {
    private static final Logger LOG = Logger.getLogger(WorkQueue.class);

    private final EntityManager em;
    private final QuireConfig config;
    private final QuireMetrics metrics;
    private final String process = ProcessIdentity.current().name();
    /** Claims this process holds and has not finished: what a shutdown waits for, then hands back. */
    private final Set<Claim> held = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    public WorkQueue(EntityManager em, QuireConfig config, QuireMetrics metrics) {
        this.em = em;
        this.config = config;
        this.metrics = metrics;
    }

    /** True once the process is stopping: no new claims are made. */
    public boolean draining() {
        return draining;
    }

    /**
     * Graceful shutdown (SIGTERM, a pod being deleted): stop claiming, give the documents in hand up to
     * {@code quire.extract.drain-timeout} to finish, then hand back the claims still held so another worker takes
     * them at once instead of after their lease expires. The workers still busy with them find the claim gone at
     * their next check and stop without writing (answers are written only while the claim is held).
     */
    void drain(@Observes ShutdownEvent event) {
        draining = true;
        if (held.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + config.extract().drainTimeout().toNanos();
        LOG.infof("shutting down: waiting up to %s for %d document(s) in hand", config.extract().drainTimeout(), held.size());
        while (!held.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Claim c : List.copyOf(held)) {
            try {
                if (release(c)) {
                    LOG.infof("shutting down: released work item %d (document %d of job %d) for another worker",
                            c.itemId(), c.documentId(), c.jobId());
                }
            } catch (RuntimeException e) {
                LOG.warnf("shutting down: could not release work item %d (its lease expires in at most %d s): %s",
                        c.itemId(), config.extract().leaseSeconds(), e.getMessage());
            }
        }
    }

    /**
     * Hands an unfinished claim back: the item is PENDING again at once, and this claim does not count towards
     * {@code max-attempts} (the worker did not die on it). False when the claim was no longer held.
     */
    public boolean release(Claim c) {
        held.remove(c);
        int n = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE {h-schema}work_item SET status = 'PENDING', owner = NULL, lease_until = NULL, "
                                + "attempts = greatest(attempts - 1, 0) WHERE id = ?1 AND owner = ?2 AND status = 'CLAIMED'")
                .setParameter(1, c.itemId()).setParameter(2, c.owner()).executeUpdate());
        if (n == 1) {
            metrics.leaseReleased();
        }
        return n == 1;
    }

    /** This process stopped working on the claim without finishing it (another worker took it over). */
    public void forget(Claim c) {
        held.remove(c);
    }

    /** A claimed item: which job and document, and how many times it has been claimed. */
    public record Claim(long itemId, long jobId, long documentId, int attempts, String owner) {
    }

    /** This process's worker name for a thread: pid@host~node/thread (see {@link ProcessIdentity}). */
    public String owner() {
        return process + "/" + Thread.currentThread().getName();
    }

    /** Claims the next open item of {@code jobId} (or of any running job when null); empty when none is left. */
    public Optional<Claim> claim(Long jobId) {
        String owner = owner();
        while (true) {
            if (draining) {
                return Optional.empty();
            }
            @SuppressWarnings("unchecked")
            List<Object[]> rows = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                    UPDATE {h-schema}work_item SET status = 'CLAIMED', owner = ?1, attempts = attempts + 1,
                           lease_until = now() + make_interval(secs => ?2), started_at = coalesce(started_at, now())
                    WHERE id = (SELECT w.id FROM {h-schema}work_item w JOIN {h-schema}extract_job j ON j.id = w.job_id
                                WHERE j.status = 'RUNNING' AND (CAST(?3 AS BIGINT) IS NULL OR w.job_id = ?3)
                                  AND (w.status = 'PENDING' OR (w.status = 'CLAIMED' AND w.lease_until < now()))
                                ORDER BY w.job_id, w.id
                                LIMIT 1 FOR UPDATE OF w SKIP LOCKED)
                    RETURNING id, job_id, document_id, attempts""")
                    .setParameter(1, owner).setParameter(2, config.extract().leaseSeconds()).setParameter(3, jobId)
                    .getResultList());
            if (rows.isEmpty()) {
                return Optional.empty();
            }
            Object[] r = rows.getFirst();
            Claim c = new Claim(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).intValue(), owner);
            if (c.attempts() > config.extract().maxAttempts()) {
                finish(c, false, "its worker stopped (died or lost the lease) " + (c.attempts() - 1)
                        + " times while processing this document; not retried again");
                LOG.warnf("work item %d (document %d) failed after %d attempts", c.itemId(), c.documentId(), c.attempts() - 1);
                continue;
            }
            if (c.attempts() > 1) {
                metrics.leaseTakeover();
            }
            held.add(c);
            return Optional.of(c);
        }
    }

    /** Extends the lease of a claim still held by its owner; false when the claim was lost. */
    public boolean renew(Claim c) {
        int n = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                        "UPDATE {h-schema}work_item SET lease_until = now() + make_interval(secs => ?1) "
                                + "WHERE id = ?2 AND owner = ?3 AND status = 'CLAIMED'")
                .setParameter(1, config.extract().leaseSeconds()).setParameter(2, c.itemId()).setParameter(3, c.owner())
                .executeUpdate());
        return n == 1;
    }

    /**
     * The worker that holds the item now (null when nobody does). With {@code lock} the row is locked until the
     * caller's transaction ends, so an answer written in that transaction is written only while the claim is held.
     */
    public String holder(Claim c, boolean lock) {
        @SuppressWarnings("unchecked")
        List<Object> owner = em.createNativeQuery("SELECT owner FROM {h-schema}work_item WHERE id = ?1 AND status = 'CLAIMED'"
                + (lock ? " FOR SHARE" : "")).setParameter(1, c.itemId()).getResultList();
        return owner.isEmpty() ? null : (String) owner.getFirst();
    }

    /** True while {@code c}'s owner still holds it (in a transaction of its own). */
    public boolean holds(Claim c) {
        return c.owner().equals(QuarkusTransaction.requiringNew().call(() -> holder(c, false)));
    }

    /** Marks the item DONE (or FAILED with the reason) if its owner still holds it, then closes finished jobs. */
    public void finish(Claim c, boolean done, String error) {
        held.remove(c);
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("UPDATE {h-schema}work_item SET status = ?1, last_error = ?2, finished_at = now(), lease_until = NULL "
                            + "WHERE id = ?3 AND owner = ?4 AND status = 'CLAIMED'")
                    .setParameter(1, done ? "DONE" : "FAILED").setParameter(2, error).setParameter(3, c.itemId())
                    .setParameter(4, c.owner()).executeUpdate();
            em.createNativeQuery("UPDATE {h-schema}extract_job j SET status = 'COMPLETED', finished_at = now() "
                            + "WHERE j.id = ?1 AND j.status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM {h-schema}work_item w "
                            + "WHERE w.job_id = j.id AND w.status IN ('PENDING', 'CLAIMED'))")
                    .setParameter(1, c.jobId()).executeUpdate();
        });
    }
}

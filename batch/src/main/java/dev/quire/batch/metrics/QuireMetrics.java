package dev.quire.batch.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Quire's Prometheus metrics (Micrometer; scraped at {@code /q/metrics}): documents and pages ingested, answers by
 * status, failures by reason, model latency by phase (vision, prefill, decode), queue depth (open work items of
 * running jobs, read from PostgreSQL at scrape time) and lease takeovers (a document claimed again after its worker
 * died), registered at start so they are scraped as zero before anything happens. Counters are per process; Prometheus sums them over pods.
 */
@Startup
@ApplicationScoped
public class QuireMetrics {
    private static final Logger LOG = Logger.getLogger(QuireMetrics.class);
    private final MeterRegistry registry;
    private final Counter pages;
    private final Counter takeovers;
    private final Counter released;

    public QuireMetrics(MeterRegistry registry, EntityManager em) {
        this.registry = registry;
        this.pages = Counter.builder("quire.pages.ingested").description("pages rendered and stored").register(registry);
        this.takeovers = Counter.builder("quire.lease.takeovers")
                .description("documents claimed again after the worker holding them stopped renewing its lease").register(registry);
        this.released = Counter.builder("quire.lease.released")
                .description("claims handed back unfinished by a worker shutting down (SIGTERM)").register(registry);
        Gauge.builder("quire.queue.depth", em, QuireMetrics::queueDepth)
                .description("work items of running jobs not held by a live worker (pending, or with an expired lease)")
                .register(registry);
    }

    private static double queueDepth(EntityManager em) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery("""
                    SELECT count(*) FROM {h-schema}work_item w JOIN {h-schema}extract_job j ON j.id = w.job_id
                    WHERE j.status = 'RUNNING' AND (w.status = 'PENDING' OR (w.status = 'CLAIMED' AND w.lease_until < now()))""")
                    .getSingleResult()).doubleValue());
        } catch (RuntimeException e) {
            LOG.debugf("queue depth unavailable: %s", e.getMessage());
            return Double.NaN;
        }
    }

    /** One document stored by ingest, with its status (READY, PARTIAL, REJECTED, UNSUPPORTED) and its page count. */
    public void documentIngested(String status, int okPages, int failedPages) {
        registry.counter("quire.documents.ingested", "status", status.toLowerCase(Locale.ROOT)).increment();
        pages.increment(okPages);
        if (failedPages > 0) {
            failure("page-failed", failedPages);
        }
        if (status.equals("REJECTED") || status.equals("UNSUPPORTED")) {
            failure(status.toLowerCase(Locale.ROOT), 1);
        }
    }

    /** One stored answer, by status; a FAILED one also counts as a failure of its kind. */
    public void answer(String status, String reason) {
        registry.counter("quire.answers", "status", status.toLowerCase(Locale.ROOT)).increment();
        if (status.equals("FAILED")) {
            failure(reasonKind(reason), 1);
        }
    }

    /** A bounded label for a failure reason (the full text is in the row). */
    static String reasonKind(String reason) {
        if (reason == null) {
            return "other";
        }
        if (reason.startsWith("not plannable")) {
            return "plan";
        }
        if (reason.startsWith("page images")) {
            return "page-images";
        }
        if (reason.startsWith("engine") || reason.contains("engine call")) {
            return "engine";
        }
        if (reason.startsWith("document ")) {
            return "document";
        }
        return "other";
    }

    private void failure(String reason, int n) {
        registry.counter("quire.failures", "reason", reason).increment(n);
    }

    /** One model call's time per phase. */
    public void modelCall(long visionNanos, long prefillNanos, long decodeNanos) {
        phase("vision").record(Duration.ofNanos(visionNanos));
        phase("prefill").record(Duration.ofNanos(prefillNanos));
        phase("decode").record(Duration.ofNanos(decodeNanos));
    }

    private Timer phase(String phase) {
        return Timer.builder("quire.model.latency").description("model time per call and phase").tag("phase", phase)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry);
    }

    public void leaseTakeover() {
        takeovers.increment();
    }

    public void leaseReleased() {
        released.increment();
    }
}

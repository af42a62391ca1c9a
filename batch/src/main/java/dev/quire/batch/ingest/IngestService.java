package dev.quire.batch.ingest;

import dev.quire.batch.ProcessIdentity;
import dev.quire.batch.QuireConfig;
import dev.quire.storage.ingest.IngestRun;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.RunStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.operations.JobOperator;
import jakarta.batch.operations.JobRestartException;
import jakarta.batch.runtime.BatchStatus;
import jakarta.batch.runtime.JobExecution;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Starts ingest runs, or resumes the unfinished run over the same sources: a run killed at any point and
 * started again with the same sources ends with exactly the documents and pages of an uninterrupted run.
 */
@ApplicationScoped
public class IngestService {
    private static final Logger LOG = Logger.getLogger(IngestService.class);
    static final String JOB = "ingest";

    private final JobOperator jobs;
    private final QuireConfig config;
    private final String owner = ProcessIdentity.current().name();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ingest-heartbeat");
        t.setDaemon(true);
        return t;
    });

    private final RenderGeometry geometry;

    public IngestService(JobOperator jobs, QuireConfig config, RenderGeometry geometry) {
        this.jobs = jobs;
        this.config = config;
        this.geometry = geometry;
    }

    /**
     * An unfinished run was started rendering for another encoder geometry than the configured model's (and
     * {@code quire.render.*}) now give: resuming it would mix page images of two geometries in one run.
     */
    public static final class GeometryChangedException extends RuntimeException {
        GeometryChangedException(String message) {
            super(message);
        }
    }

    /** Another live process is working on the run these sources resume. */
    public static final class RunBusyException extends RuntimeException {
        RunBusyException(String message) {
            super(message);
        }
    }

    /**
     * A started (or resumed) run and the job execution doing it.
     *
     * @param geometry the encoder geometry the run renders pages for, and where it came from
     */
    public record Started(long runId, long executionId, boolean resumed, RenderGeometry.Resolved geometry) {
    }

    /** Progress of a run from committed rows. */
    public record RunProgress(long runId, Integer totalInputs, long doneInputs, long pagesStored, RunStatus status) {
    }

    /**
     * Starts a run over {@code sources}, or resumes the unfinished one. The pages are rendered for the configured
     * model's geometry ({@link RenderGeometry}), which the run records.
     *
     * @throws dev.quire.vlm.config.ConfigError if the model's preprocessor_config.json or one of its keys is missing
     * @throws GeometryChangedException if the unfinished run was rendering for another geometry
     * @throws RunBusyException if another live process works on the unfinished run
     */
    public Started start(List<String> sources) {
        RenderGeometry.Resolved g = geometry.current();
        List<String> normalized = sources.stream().map(IngestService::normalize).toList();
        String joined = String.join("\n", normalized);
        String key = sha256(joined);
        IngestRun unfinished = QuarkusTransaction.requiringNew().call(() -> IngestRun.unfinished(key).orElse(null));
        if (unfinished != null) {
            if (unfinished.renderGeometry != null && !unfinished.renderGeometry.equals(g.key())) {
                throw new GeometryChangedException("ingest run " + unfinished.id + " over these sources was started "
                        + "rendering pages for " + unfinished.renderGeometry + " (" + unfinished.renderGeometrySource
                        + "); the configured model now gives " + g.key() + " (" + g.source() + "). Resume it with the "
                        + "same quire.vlm.model and quire.render.* settings, so one run does not mix page geometries.");
            }
            long execution = resume(unfinished, g);
            return new Started(unfinished.id, execution, true, g);
        }
        IngestRun run = QuarkusTransaction.requiringNew().call(() -> {
            IngestRun r = new IngestRun();
            r.sources = joined;
            r.sourcesKey = key;
            r.status = RunStatus.STARTED;
            r.startedAt = OffsetDateTime.now();
            r.owner = owner;
            r.heartbeatAt = r.startedAt;
            r.renderGeometry = g.key();
            r.renderGeometrySource = g.source();
            r.persist();
            return r;
        });
        // The run is marked STARTED before the job exists, so the job's listener always has the last word.
        long execution = jobs.start(JOB, parameters(run.id));
        recordExecution(run.id, execution);
        keepAlive(run.id, execution);
        LOG.infof("ingest run %d: pages rendered for %s", run.id, g.summary());
        return new Started(run.id, execution, false, g);
    }

    /** Renews this process's claim on the run until its job execution ends. */
    private void keepAlive(long runId, long execution) {
        int lease = config.ingest().leaseSeconds();
        long period = Math.max(1, lease / 3);
        ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
        self[0] = heartbeats.scheduleAtFixedRate(() -> {
            try {
                BatchStatus s = jobs.getJobExecution(execution).getBatchStatus();
                if (s != BatchStatus.STARTING && s != BatchStatus.STARTED && s != BatchStatus.STOPPING) {
                    self[0].cancel(false);
                    return;
                }
                QuarkusTransaction.requiringNew().run(() -> IngestRun.claim(runId, owner, lease));
            } catch (RuntimeException e) {
                LOG.warnf("ingest run %d: heartbeat failed: %s", runId, e.getMessage());
            }
        }, period, period, TimeUnit.SECONDS);
    }

    private long resume(IngestRun run, RenderGeometry.Resolved g) {
        int lease = config.ingest().leaseSeconds();
        boolean claimed = QuarkusTransaction.requiringNew().call(() -> IngestRun.claim(run.id, owner, lease))
                || (ProcessIdentity.current().deadOnThisNode(run.owner)
                    && QuarkusTransaction.requiringNew().call(() -> IngestRun.takeOver(run.id, owner, run.owner)));
        if (!claimed) {
            throw new RunBusyException("ingest run " + run.id + " over these sources is being worked on by process "
                    + run.owner + " (last heartbeat " + run.heartbeatAt + "); wait for it to finish or stop it. "
                    + "A dead process's claim expires " + lease + " s after its last heartbeat (quire.ingest.lease-seconds).");
        }
        markStarted(run.id);
        if (run.renderGeometry == null) {
            // a run from before the geometry was recorded: it renders its remaining inputs for the current one
            QuarkusTransaction.requiringNew().run(() -> IngestRun.update(
                    "renderGeometry = ?1, renderGeometrySource = ?2 where id = ?3", g.key(), g.source(), run.id));
        }
        LOG.infof("ingest run %d: pages rendered for %s", run.id, g.summary());
        long execution;
        JobExecution previous = null;
        if (run.jobExecutionId != null) {
            try {
                previous = jobs.getJobExecution(run.jobExecutionId);
            } catch (RuntimeException e) {
                LOG.debugf("execution %d of run %d is not in the job repository: %s", run.jobExecutionId, run.id, e);
            }
        }
        if (previous != null && previous.getBatchStatus() != BatchStatus.COMPLETED
                && previous.getBatchStatus() != BatchStatus.ABANDONED) {
            Properties p = parameters(run.id);
            // The claim above proves the process that left the execution STARTED is gone: restart it regardless.
            p.setProperty("jberet.restart.mode", "force");
            try {
                execution = jobs.restart(run.jobExecutionId, p);
                LOG.infof("ingest run %d: restarting job execution %d (was %s) as %d", run.id, run.jobExecutionId,
                        previous.getBatchStatus(), execution);
                recordExecution(run.id, execution);
                keepAlive(run.id, execution);
                return execution;
            } catch (JobRestartException e) {
                LOG.infof("ingest run %d: job execution %d cannot be restarted (%s); continuing in a new execution",
                        run.id, run.jobExecutionId, e.getMessage());
            }
        }
        // The job reads committed state (scan done? inputs still PENDING?), so a fresh execution continues the run.
        execution = jobs.start(JOB, parameters(run.id));
        recordExecution(run.id, execution);
        keepAlive(run.id, execution);
        return execution;
    }

    public RunProgress progress(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            IngestRun run = IngestRun.findById(runId);
            long done = SourceFile.count("runId = ?1 and status <> ?2", runId, InputStatus.PENDING);
            Long pages = SourceFile.getEntityManager().createQuery(
                            "select count(p) from Page p where p.documentId in (select f.documentId from SourceFile f "
                                    + "where f.runId = :run and f.status <> dev.quire.storage.ingest.InputStatus.DUPLICATE "
                                    + "and f.status <> dev.quire.storage.ingest.InputStatus.PENDING)", Long.class)
                    .setParameter("run", runId).getSingleResult();
            return new RunProgress(runId, run.totalInputs, done, pages, run.status);
        });
    }

    /** Inputs of the run by status (READY, PARTIAL, REJECTED, UNSUPPORTED, DUPLICATE, PENDING). */
    public Map<String, Long> statusCounts(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> SourceFile.getEntityManager().createQuery(
                        "select f.status, count(f) from SourceFile f where f.runId = :run group by f.status", Object[].class)
                .setParameter("run", runId).getResultList().stream()
                .collect(Collectors.toMap(r -> r[0].toString(), r -> (Long) r[1])));
    }

    /** What a run turned into text by other means than a PDF's text layer. */
    public record TextCounts(long convertedFiles, long ocrPages) {
    }

    /** Office files of the run converted to PDF, and pages of the run's documents whose words came from OCR. */
    public TextCounts textCounts(long runId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var em = SourceFile.getEntityManager();
            String docs = "select f.documentId from SourceFile f where f.runId = :run "
                    + "and f.status <> dev.quire.storage.ingest.InputStatus.DUPLICATE";
            Long converted = em.createQuery("select count(d) from Document d where d.convertedBlob is not null and d.id in ("
                    + docs + ")", Long.class).setParameter("run", runId).getSingleResult();
            Long ocr = em.createQuery("select count(p) from Page p where p.textSource = "
                    + "dev.quire.storage.document.TextSource.OCR and p.documentId in (" + docs + ")", Long.class)
                    .setParameter("run", runId).getSingleResult();
            return new TextCounts(converted, ocr);
        });
    }

    public BatchStatus status(long executionId) {
        return jobs.getJobExecution(executionId).getBatchStatus();
    }

    private Properties parameters(long runId) {
        Properties p = new Properties();
        p.setProperty("runId", Long.toString(runId));
        p.setProperty("chunkSize", Integer.toString(config.ingest().chunkSize()));
        p.setProperty("chunkTimeoutSeconds", Integer.toString(config.ingest().chunkTimeoutSeconds()));
        return p;
    }

    private static void markStarted(long runId) {
        QuarkusTransaction.requiringNew().run(() -> {
            IngestRun r = IngestRun.findById(runId);
            r.status = RunStatus.STARTED;
            r.finishedAt = null;
        });
    }

    private static void recordExecution(long runId, long execution) {
        QuarkusTransaction.requiringNew().run(() -> IngestRun.update("jobExecutionId = ?1 where id = ?2", execution, runId));
    }

    /** Plain paths become absolute so the same folder named two ways is the same run; globs too. */
    static String normalize(String source) {
        String s = source.strip();
        if (s.isEmpty()) {
            return s;
        }
        Path p = Path.of(s);
        return p.isAbsolute() ? p.normalize().toString() : Path.of("").toAbsolutePath().resolve(p).normalize().toString();
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

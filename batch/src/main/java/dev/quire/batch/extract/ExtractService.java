package dev.quire.batch.extract;

import dev.quire.batch.questions.QuestionSet;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.quire.storage.blob.BlobStore;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.extract.ExtractJob;
import dev.quire.storage.extract.WorkItem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.operations.JobOperator;
import jakarta.batch.runtime.BatchStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Extraction jobs: submit a question set over a selection of documents (one work item per document), run the
 * JBeret {@code extract} job to work them off in this process, and report progress from committed rows.
 */
@ApplicationScoped
public class ExtractService {
    static final String JOB = "extract";

    private final JobOperator jobs;
    private final BlobStore blobs;
    private final EntityManager em;

    public ExtractService(JobOperator jobs, BlobStore blobs, EntityManager em) {
        this.jobs = jobs;
        this.blobs = blobs;
        this.em = em;
    }

    /**
     * Creates a job: demonstration images go to the blob store (so every worker can read them), and every READY or
     * PARTIAL document the selection names gets a work item.
     */
    public long submit(QuestionSet set, String selection) {
        QuestionSet stored = set.withImages(d -> {
            if (d.image().startsWith("blob:")) {
                return d.image();
            }
            Path p = Path.of(d.image());
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("demonstration image " + p + " does not exist");
            }
            return "blob:" + blobs.putFile(p);
        });
        stored.validate("question set '" + set.name() + "'");
        String json;
        try {
            json = QuestionSet.mapper(false).writeValueAsString(stored);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        DocumentSelection sel = DocumentSelection.parse(selection);
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Long> docs = sel.documentIds(em);
            ExtractJob job = new ExtractJob();
            job.skipped = sel.skipped(em);
            job.name = stored.name();
            job.questionSet = json;
            job.documents = sel.toString();
            job.totalItems = docs.size();
            job.questions = stored.asks().size();
            job.status = docs.isEmpty() ? ExtractJob.COMPLETED : ExtractJob.RUNNING;
            job.finishedAt = docs.isEmpty() ? OffsetDateTime.now() : null;
            job.persist();
            for (long d : docs) {
                WorkItem w = new WorkItem();
                w.jobId = job.id;
                w.documentId = d;
                w.status = WorkItem.PENDING;
                w.persist();
            }
            return job.id;
        });
    }

    /** Starts this process's workers on a job (null: on every running job); returns the JBeret execution id. */
    public long start(Long jobId) {
        Properties p = new Properties();
        p.setProperty("jobId", jobId == null ? "" : jobId.toString());
        return jobs.start(JOB, p);
    }

    public BatchStatus status(long executionId) {
        return jobs.getJobExecution(executionId).getBatchStatus();
    }

    /** Blocks until the execution ends. */
    public BatchStatus await(long executionId, Runnable tick) throws InterruptedException {
        while (true) {
            BatchStatus s = status(executionId);
            if (s == BatchStatus.COMPLETED || s == BatchStatus.FAILED || s == BatchStatus.STOPPED
                    || s == BatchStatus.ABANDONED) {
                return s;
            }
            if (tick != null) {
                tick.run();
            }
            Thread.sleep(250);
        }
    }

    /**
     * A job's progress from committed rows.
     *
     * @param items         work items (documents) by status
     * @param answers       answers by status
     * @param expected      answers the job will have (documents × questions)
     * @param reuse         what the engine reused over the job's stored answers (vision and prefix caches)
     */
    public record JobProgress(long jobId, String name, String status, int documents, int questions,
                              Map<String, Long> items, Map<String, Long> answers, long expected,
                              OffsetDateTime createdAt, OffsetDateTime finishedAt, List<String> skipped, Reuse reuse) {
        public long answered() {
            return answers.values().stream().mapToLong(Long::longValue).sum();
        }

        public long documentsDone() {
            return items.getOrDefault("DONE", 0L) + items.getOrDefault("FAILED", 0L);
        }

        public long failures() {
            return answers.getOrDefault("FAILED", 0L) + items.getOrDefault("FAILED", 0L);
        }
    }

    /**
     * Sums over a job's answers of what the engine reused.
     *
     * @param calls             model calls
     * @param visionCacheHits   images whose encoding came from the vision cache
     * @param visionCacheMisses images the vision tower encoded
     * @param prefixCacheHits   calls continued from a cached prefilled prompt prefix
     * @param prefixCacheTokens prompt tokens those calls did not prefill
     * @param promptTokens      prompt tokens of all calls
     */
    public record Reuse(long calls, long visionCacheHits, long visionCacheMisses, long prefixCacheHits,
                        long prefixCacheTokens, long promptTokens) {
        /** One line for summaries. */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "vision cache %d hits, %d misses; prefix cache %d of %d calls, "
                            + "%d of %d prompt tokens not prefilled", visionCacheHits, visionCacheMisses, prefixCacheHits,
                    calls, prefixCacheTokens, promptTokens);
        }
    }

    public JobProgress progress(long jobId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            ExtractJob job = ExtractJob.findById(jobId);
            if (job == null) {
                throw new IllegalArgumentException("no extraction job " + jobId);
            }
            Map<String, Long> items = counts("select w.status, count(w) from WorkItem w where w.jobId = ?1 group by w.status", jobId);
            Map<String, Long> answers = counts("select a.status, count(a) from Answer a where a.jobId = ?1 group by a.status", jobId);
            Object[] r = em.createQuery("select coalesce(sum(a.calls), 0), coalesce(sum(a.visionCacheHits), 0), "
                    + "coalesce(sum(a.visionCacheMisses), 0), coalesce(sum(a.prefixCacheHits), 0), "
                    + "coalesce(sum(a.prefixCacheTokens), 0), coalesce(sum(a.promptTokens), 0) from Answer a "
                    + "where a.jobId = ?1", Object[].class).setParameter(1, jobId).getSingleResult();
            Reuse reuse = new Reuse(((Number) r[0]).longValue(), ((Number) r[1]).longValue(), ((Number) r[2]).longValue(),
                    ((Number) r[3]).longValue(), ((Number) r[4]).longValue(), ((Number) r[5]).longValue());
            return new JobProgress(job.id, job.name, job.status, job.totalItems, job.questions, items, answers,
                    (long) job.totalItems * job.questions, job.createdAt, job.finishedAt, List.copyOf(job.skipped), reuse);
        });
    }

    private Map<String, Long> counts(String jpql, long jobId) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Object[] r : em.createQuery(jpql, Object[].class).setParameter(1, jobId).getResultList()) {
            out.put(r[0].toString(), (Long) r[1]);
        }
        return out;
    }

    /** Which documents a job covers: {@code all}, ids and ranges ({@code 3,7-9}), {@code run:N}, or a file-name glob. */
    public record DocumentSelection(String text) {
        public static DocumentSelection parse(String s) {
            return new DocumentSelection(s == null || s.isBlank() ? "all" : s.strip());
        }

        /**
         * Documents the selection names that the job cannot use, each with the reason: ids that do not exist, and
         * matched documents that are not READY or PARTIAL ({@code all} names every stored document).
         */
        List<String> skipped(EntityManager em) {
            List<String> out = new ArrayList<>();
            List<Object[]> matched;
            String where;
            if (text.equals("all")) {
                where = "";
            } else if (text.startsWith("run:")) {
                where = " where d.id in (select f.documentId from SourceFile f where f.runId = " + Long.parseLong(text.substring(4).strip()) + ")";
            } else if (text.matches("[0-9,\\-\\s]+")) {
                List<Long> ids = ids();
                where = " where d.id in (:ids)";
                matched = em.createQuery("select d.id, d.fileName, d.status, d.reason from Document d" + where
                        + " order by d.id", Object[].class).setParameter("ids", ids).getResultList();
                java.util.Set<Long> found = new java.util.HashSet<>();
                for (Object[] r : matched) {
                    found.add((Long) r[0]);
                }
                for (long id : ids) {
                    if (!found.contains(id)) {
                        out.add(id + ": no such document");
                    }
                }
                return unusable(matched, out);
            } else {
                where = " where d.fileName like :like";
            }
            var q = em.createQuery("select d.id, d.fileName, d.status, d.reason from Document d" + where + " order by d.id",
                    Object[].class);
            if (where.contains(":like")) {
                q.setParameter("like", like());
            }
            return unusable(q.getResultList(), out);
        }

        private static List<String> unusable(List<Object[]> matched, List<String> out) {
            for (Object[] r : matched) {
                DocumentStatus st = (DocumentStatus) r[2];
                if (st != DocumentStatus.READY && st != DocumentStatus.PARTIAL) {
                    out.add(r[0] + " (" + r[1] + "): " + st + (r[3] == null ? "" : ": " + r[3]));
                }
            }
            return out;
        }

        private List<Long> ids() {
            List<Long> ids = new ArrayList<>();
            for (String part : text.split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                String[] ab = p.split("-");
                long a = Long.parseLong(ab[0].strip());
                long b = ab.length > 1 ? Long.parseLong(ab[1].strip()) : a;
                if (b - a > 1_000_000) {
                    throw new IllegalArgumentException("document range " + p + " is too large");
                }
                for (long i = a; i <= b; i++) {
                    ids.add(i);
                }
            }
            return ids;
        }

        private String like() {
            return text.replace("%", "\\%").replace("_", "\\_").replace('*', '%').replace('?', '_');
        }

        List<Long> documentIds(EntityManager em) {
            List<DocumentStatus> usable = List.of(DocumentStatus.READY, DocumentStatus.PARTIAL);
            if (text.equals("all")) {
                return em.createQuery("select d.id from Document d where d.status in ?1 order by d.id", Long.class)
                        .setParameter(1, usable).getResultList();
            }
            if (text.startsWith("run:")) {
                long run = Long.parseLong(text.substring(4).strip());
                return em.createQuery("select distinct d.id from SourceFile f join Document d on d.id = f.documentId "
                                + "where f.runId = ?1 and d.status in ?2 order by d.id", Long.class)
                        .setParameter(1, run).setParameter(2, usable).getResultList();
            }
            if (text.matches("[0-9,\\-\\s]+")) {
                List<Long> ids = ids();
                return em.createQuery("select d.id from Document d where d.id in ?1 and d.status in ?2 order by d.id", Long.class)
                        .setParameter(1, ids).setParameter(2, usable).getResultList();
            }
            String like = like();
            return em.createQuery("select d.id from Document d where d.fileName like ?1 and d.status in ?2 order by d.id", Long.class)
                    .setParameter(1, like).setParameter(2, usable).getResultList();
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** What DEMO MODEL answers say, in every summary, export record and API answer that comes from the demo model. */
    public static final String DEMO_NOTICE = "DEMO MODEL: random weights, answers are not meaningful";

    /** The engines and models that answered a job, e.g. "embedded:demo on cpu [DEMO MODEL: …]". */
    public List<String> answeredBy(long jobId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery("select distinct a.engine, a.model, a.device, "
                        + "a.demoModel from Answer a where a.jobId = ?1 and a.engine is not null", Object[].class)
                .setParameter(1, jobId).getResultList().stream()
                .map(r -> r[0] + ":" + r[1] + " on " + r[2] + (Boolean.TRUE.equals(r[3]) ? " [" + DEMO_NOTICE + "]" : ""))
                .sorted().toList());
    }

    /** Documents not yet done (pending, or claimed by some worker) of a job, or of every running job when null. */
    public long openItems(Long jobId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "select count(w) from WorkItem w, ExtractJob j where j.id = w.jobId and j.status = 'RUNNING' "
                                + "and w.status in ('PENDING', 'CLAIMED') and (?1 is null or w.jobId = ?1)", Long.class)
                .setParameter(1, jobId).getSingleResult());
    }

}

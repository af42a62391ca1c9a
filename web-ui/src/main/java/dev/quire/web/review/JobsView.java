package dev.quire.web.review;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The jobs page: each extraction job's progress, its failures with their reasons, and its throughput. */
@ApplicationScoped
public class JobsView {
    private final EntityManager em;
    private final com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();

    public JobsView(EntityManager em) {
        this.em = em;
    }

    public record Failure(String what, String reason) {
    }

    public record Job(long id, String name, String status, int documents, int questions, Map<String, Long> items,
                      Map<String, Long> answers, long answered, long expected, String throughput,
                      OffsetDateTime createdAt, OffsetDateTime finishedAt, List<Failure> failures, List<String> skipped,
                      String questionSet) {
        public long percent() {
            return expected == 0 ? 100 : Math.min(100, answered * 100 / expected);
        }
    }

    public List<Job> jobs() {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Object[]> rows = rows(em.createNativeQuery("SELECT id, name, status, total_items, questions, created_at, "
                    + "finished_at, CAST(skipped AS TEXT), CAST(question_set AS TEXT) FROM quire.extract_job "
                    + "ORDER BY id DESC LIMIT 100", Object[].class));
            List<Job> out = new ArrayList<>();
            for (Object[] r : rows) {
                long id = ((Number) r[0]).longValue();
                Map<String, Long> items = counts("SELECT status, count(*) FROM quire.work_item WHERE job_id = ?1 GROUP BY 1", id);
                Map<String, Long> answers = counts("SELECT status, count(*) FROM quire.answer WHERE job_id = ?1 GROUP BY 1", id);
                long answered = answers.values().stream().mapToLong(Long::longValue).sum();
                int docs = ((Number) r[3]).intValue(), qs = ((Number) r[4]).intValue();
                OffsetDateTime created = time(r[5]), finished = time(r[6]);
                List<Failure> failures = new ArrayList<>();
                for (Object[] f : rows(em.createNativeQuery("SELECT d.file_name, w.last_error FROM quire.work_item w JOIN "
                        + "quire.document d ON d.id = w.document_id WHERE w.job_id = ?1 AND w.status = 'FAILED' ORDER BY w.id "
                        + "LIMIT 20", Object[].class).setParameter(1, id))) {
                    failures.add(new Failure((String) f[0], (String) f[1]));
                }
                for (Object[] f : rows(em.createNativeQuery("SELECT d.file_name || ' / ' || a.question_key, a.reason FROM "
                        + "quire.answer a JOIN quire.document d ON d.id = a.document_id WHERE a.job_id = ?1 AND "
                        + "a.status = 'FAILED' ORDER BY a.id LIMIT 20", Object[].class).setParameter(1, id))) {
                    failures.add(new Failure((String) f[0], (String) f[1]));
                }
                double minutes = Duration.between(created, finished != null ? finished : OffsetDateTime.now()).toMillis() / 60000.0;
                String throughput = answered == 0 || minutes <= 0 ? "–"
                        : String.format("%.1f answers/min, %.1f documents/min", answered / minutes,
                        (items.getOrDefault("DONE", 0L) + items.getOrDefault("FAILED", 0L)) / minutes);
                out.add(new Job(id, (String) r[1], (String) r[2], docs, qs, items, answers, answered, (long) docs * qs,
                        throughput, created, finished, failures, skipped((String) r[7]), (String) r[8]));
            }
            return out;
        });
    }

    private List<String> skipped(String json) {
        try {
            return json == null ? List.of() : mapper.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return List.of(json);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(jakarta.persistence.Query q) {
        return q.getResultList();
    }

    private static OffsetDateTime time(Object o) {
        return switch (o) {
            case null -> null;
            case OffsetDateTime t -> t;
            case java.time.Instant i -> i.atOffset(java.time.ZoneOffset.UTC);
            case java.sql.Timestamp t -> t.toInstant().atOffset(java.time.ZoneOffset.UTC);
            default -> throw new IllegalStateException("unexpected time type " + o.getClass());
        };
    }

    private Map<String, Long> counts(String sql, long id) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Object[] r : rows(em.createNativeQuery(sql, Object[].class).setParameter(1, id))) {
            m.put((String) r[0], ((Number) r[1]).longValue());
        }
        return m;
    }
}

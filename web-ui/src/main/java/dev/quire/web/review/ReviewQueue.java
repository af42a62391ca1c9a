package dev.quire.web.review;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Query;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The review queue: answers across jobs and documents, riskiest first, filtered, one page at a time by keyset
 * (the page after the last row shown, never an offset: page 2,000 costs what page 1 does).
 */
@ApplicationScoped
public class ReviewQueue {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    private static final Set<String> STATES = Set.of("UNREVIEWED", "ACCEPTED", "CORRECTED", "REJECTED");
    private static final Set<String> STATUSES = Set.of("ANSWERED", "NOT_ANSWERABLE", "PARSE_ERROR", "FAILED");

    private final EntityManager em;
    private final RiskAssessor risk;

    public ReviewQueue(EntityManager em, RiskAssessor risk) {
        this.em = em;
        this.risk = risk;
    }

    /** Filters (null = any). */
    public record Filter(Long job, String question, Long document, String status, String state) {
        public Filter {
            question = blankToNull(question);
            status = upper(status);
            state = upper(state);
            if (status != null && !STATUSES.contains(status)) {
                throw new IllegalArgumentException("status '" + status + "': one of " + STATUSES);
            }
            if (state != null && !STATES.contains(state)) {
                throw new IllegalArgumentException("review state '" + state + "': one of " + STATES);
            }
        }

        private static String upper(String s) {
            s = blankToNull(s);
            return s == null ? null : s.toUpperCase(Locale.ROOT);
        }
    }

    /** Where a page starts: after the row with this risk and answer id. */
    public record Cursor(int risk, long answerId) {
        public static Cursor parse(String s) {
            if (s == null || s.isBlank()) {
                return null;
            }
            String[] p = s.split(":");
            try {
                if (p.length == 2) {
                    return new Cursor(Integer.parseInt(p[0]), Long.parseLong(p[1]));
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException("cursor '" + s + "': expected RISK:ANSWER_ID as given by the previous page");
        }

        @Override
        public String toString() {
            return risk + ":" + answerId;
        }
    }

    public record Row(long answerId, long jobId, long documentId, String fileName, String questionKey, String question,
                      String answer, String status, int risk, String badges, String state, String finalValue,
                      String reviewer, int version, boolean demoModel) {
    }

    /** @param next the cursor of the following page, null on the last page */
    public record Page(List<Row> rows, String next) {
    }

    public Page page(Filter f, Cursor after, int limit) {
        int n = Math.max(1, Math.min(limit, MAX_LIMIT));
        risk.assessNew();
        return QuarkusTransaction.requiringNew().call(() -> {
            StringBuilder sql = new StringBuilder("SELECT r.answer_id, r.job_id, r.document_id, d.file_name, r.question_key, "
                    + "a.question, a.answer, r.status, r.risk, CAST(r.badges AS TEXT), r.state, r.final_value, r.reviewer, "
                    + "r.version, COALESCE(a.demo_model, false) FROM quire.answer_review r "
                    + "JOIN quire.answer a ON a.id = r.answer_id JOIN quire.document d ON d.id = r.document_id WHERE true");
            List<Object> params = new ArrayList<>();
            if (f.job() != null) {
                sql.append(" AND r.job_id = ?");
                params.add(f.job());
            }
            if (f.document() != null) {
                sql.append(" AND r.document_id = ?");
                params.add(f.document());
            }
            if (f.question() != null) {
                sql.append(" AND r.question_key = ?");
                params.add(f.question());
            }
            if (f.status() != null) {
                sql.append(" AND r.status = ?");
                params.add(f.status());
            }
            if (f.state() != null) {
                sql.append(" AND r.state = ?");
                params.add(f.state());
            }
            if (after != null) {
                sql.append(" AND (r.risk, r.answer_id) < (?, ?)");
                params.add(after.risk());
                params.add(after.answerId());
            }
            sql.append(" ORDER BY r.risk DESC, r.answer_id DESC LIMIT ?");
            params.add(n + 1);
            Query q = em.createNativeQuery(sql.toString());
            for (int i = 0; i < params.size(); i++) {
                q.setParameter(i + 1, params.get(i));
            }
            @SuppressWarnings("unchecked")
            List<Object[]> found = q.getResultList();
            List<Row> rows = new ArrayList<>();
            for (Object[] o : found.subList(0, Math.min(n, found.size()))) {
                rows.add(new Row(((Number) o[0]).longValue(), ((Number) o[1]).longValue(), ((Number) o[2]).longValue(),
                        (String) o[3], (String) o[4], (String) o[5], (String) o[6], (String) o[7],
                        ((Number) o[8]).intValue(), (String) o[9], (String) o[10], (String) o[11], (String) o[12],
                        ((Number) o[13]).intValue(), (Boolean) o[14]));
            }
            String next = found.size() > n ? new Cursor(rows.getLast().risk(), rows.getLast().answerId()).toString() : null;
            return new Page(rows, next);
        });
    }

    /** The jobs for the filter menu (newest 200; question keys are typed, a job can have thousands). */
    public record Choices(List<Long> jobs) {
    }

    public Choices choices() {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<Number> jobs = em.createNativeQuery("SELECT id FROM quire.extract_job ORDER BY id DESC LIMIT 200").getResultList();
            return new Choices(jobs.stream().map(Number::longValue).toList());
        });
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

package dev.quire.web.review;

import dev.quire.storage.extract.Answer;
import dev.quire.storage.review.AnswerReview;
import dev.quire.storage.review.Review;
import dev.quire.storage.review.ReviewState;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Reviewers' decisions: accept, correct or reject an answer. The model's answer is never changed; each decision
 * is a new {@link Review} row and moves the answer's {@link AnswerReview} to the next version — but only if the
 * reviewer saw the current version: otherwise the decision is refused with the change they did not see.
 */
@ApplicationScoped
public class ReviewService {
    private final EntityManager em;
    private final AnswerValues values;
    private final RiskAssessor risk;

    public ReviewService(EntityManager em, AnswerValues values, RiskAssessor risk) {
        this.em = em;
        this.values = values;
        this.risk = risk;
    }

    public enum Action { ACCEPT, CORRECT, REJECT }

    /** A decision as the client sends it: {@code version} is the review version the reviewer was looking at. */
    public record Decision(String action, String value, String reason, Integer version) {
    }

    /** A review as shown in the history. */
    public record HistoryEntry(long id, String reviewer, String action, String oldValue, String newValue, String reason,
                               int version, OffsetDateTime at) {
        static HistoryEntry of(Review r) {
            return new HistoryEntry(r.id, r.reviewer, r.action, r.oldValue, r.newValue, r.reason, r.version, r.createdAt);
        }
    }

    /** An answer's review state now. */
    public record State(long answerId, String state, String finalValue, String finalParsed, String reviewer,
                        OffsetDateTime reviewedAt, int version, List<HistoryEntry> history) {
    }

    public sealed interface Outcome {
    }

    public record Done(State state) implements Outcome {
    }

    /** The decision was made against an old version: {@code current} shows what changed meanwhile. */
    public record Conflict(int yourVersion, State current) implements Outcome {
    }

    public record Invalid(String error) implements Outcome {
    }

    public record NotFound(String error) implements Outcome {
    }

    public State state(long answerId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            AnswerReview r = AnswerReview.findById(answerId);
            return r == null ? null : state(r);
        });
    }

    private State state(AnswerReview r) {
        return new State(r.answerId, r.state.name(), r.finalValue, r.finalParsed, r.reviewer, r.reviewedAt, r.version,
                Review.ofAnswer(r.answerId).stream().map(HistoryEntry::of).toList());
    }

    public Outcome decide(long answerId, String reviewer, Decision d) {
        if (d == null || d.action() == null) {
            return new Invalid("the decision needs an action: ACCEPT, CORRECT or REJECT");
        }
        Action action;
        try {
            action = Action.valueOf(d.action().strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return new Invalid("action '" + d.action() + "': must be ACCEPT, CORRECT or REJECT");
        }
        if (d.version() == null) {
            return new Invalid("the decision needs the version of the review it was made on");
        }
        if (AnswerReview.findById(answerId) == null && Answer.findById(answerId) != null) {
            risk.assessNew();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            Answer a = Answer.findById(answerId);
            AnswerReview r = AnswerReview.findById(answerId);
            if (a == null || r == null) {
                return new NotFound("no answer " + answerId);
            }
            String old = r.finalValue != null ? r.finalValue : a.answer;
            String newValue;
            String newParsed;
            ReviewState next;
            String reason = d.reason() == null || d.reason().isBlank() ? null : d.reason().strip();
            switch (action) {
                case ACCEPT -> {
                    next = ReviewState.ACCEPTED;
                    newValue = old;
                    newParsed = r.finalValue != null ? r.finalParsed : a.parsedValue;
                }
                case CORRECT -> {
                    if (d.value() == null || d.value().isBlank()) {
                        return new Invalid("a correction needs the corrected value");
                    }
                    AnswerValues.Parsed p = values.parse(a.valueType, d.value().strip());
                    if (!p.ok()) {
                        return new Invalid("'" + d.value().strip() + "' is not a valid " + a.valueType + ": " + p.error());
                    }
                    next = ReviewState.CORRECTED;
                    newValue = d.value().strip();
                    newParsed = p.json();
                }
                case REJECT -> {
                    if (reason == null) {
                        return new Invalid("a rejection needs a reason");
                    }
                    next = ReviewState.REJECTED;
                    newValue = null;
                    newParsed = null;
                }
                default -> throw new IllegalStateException();
            }
            int updated = em.createQuery("update AnswerReview r set r.state = ?1, r.finalValue = ?2, r.finalParsed = ?3, "
                    + "r.reviewer = ?4, r.reviewedAt = ?5, r.version = r.version + 1 where r.answerId = ?6 and r.version = ?7")
                    .setParameter(1, next).setParameter(2, newValue).setParameter(3, newParsed).setParameter(4, reviewer)
                    .setParameter(5, OffsetDateTime.now()).setParameter(6, answerId).setParameter(7, d.version())
                    .executeUpdate();
            if (updated == 0) {
                em.refresh(r);
                return new Conflict(d.version(), state(r));
            }
            Review row = new Review();
            row.answerId = answerId;
            row.reviewer = reviewer;
            row.action = action.name();
            row.oldValue = old;
            row.newValue = newValue;
            row.newParsed = newParsed;
            row.reason = reason;
            row.version = d.version() + 1;
            row.persist();
            em.flush();
            em.refresh(r);
            em.refresh(row);
            return new Done(state(r));
        });
    }
}

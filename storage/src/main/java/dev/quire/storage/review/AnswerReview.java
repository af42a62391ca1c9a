package dev.quire.storage.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * An answer's risk (badges with reasons, computed once from stored rows) and its current review state: the final
 * value and who decided it. {@code version} counts the decisions; a decision names the version it saw, so two
 * reviewers changing one answer at once conflict instead of overwriting each other.
 */
@Entity
@Table(name = "answer_review")
public class AnswerReview extends PanacheEntityBase {
    @Id
    public Long answerId;

    @Column(nullable = false)
    public Long jobId;
    @Column(nullable = false)
    public Long documentId;
    @Column(nullable = false)
    public String questionKey;
    @Column(nullable = false)
    public String status;

    /** Higher is riskier: the sum of the badges' weights. */
    public int risk;

    /** The risk badges as JSON: [{"kind": "ungrounded", "reason": "…", "weight": 50}, …]. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String badges;

    /** The answer's words on the cited pages as JSON: [{"page": 3, "x0": …, "y0": …, "x1": …, "y1": …}, …] in stored-page pixels. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String highlights = "[]";

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ReviewState state = ReviewState.UNREVIEWED;

    public String finalValue;

    @JdbcTypeCode(SqlTypes.JSON)
    public String finalParsed;

    public String reviewer;
    public OffsetDateTime reviewedAt;
    public int version;
}

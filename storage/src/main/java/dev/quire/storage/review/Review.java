package dev.quire.storage.review;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One reviewer's decision about one answer; written once, never updated. */
@Entity
@Table(name = "review")
public class Review extends PanacheEntityBase {
    public static final String ACCEPT = "ACCEPT";
    public static final String CORRECT = "CORRECT";
    public static final String REJECT = "REJECT";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long answerId;
    @Column(nullable = false)
    public String reviewer;
    @Column(nullable = false)
    public String action;
    public String oldValue;
    public String newValue;
    @JdbcTypeCode(SqlTypes.JSON)
    public String newParsed;
    public String reason;
    /** The answer's review version this decision made (1 for the first decision). */
    public int version;

    @Column(insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public static List<Review> ofAnswer(long answerId) {
        return list("answerId = ?1 order by version", answerId);
    }
}

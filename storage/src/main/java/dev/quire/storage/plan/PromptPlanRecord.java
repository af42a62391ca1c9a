package dev.quire.storage.plan;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A stored prompt plan: the summary numbers as columns (for reports and queries) and the whole plan as JSON
 * (pages, resolution and crop per page, tokens per item), exactly as the planner made it.
 */
@Entity
@Table(name = "prompt_plan")
public class PromptPlanRecord extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long documentId;

    @Column(nullable = false)
    public String question;

    @Column(nullable = false)
    public String requestedStrategy;

    @Column(nullable = false)
    public String strategy;

    public int contextTokens;
    public int peakTokens;
    public long promptTokens;
    public int calls;
    public int fullPages;
    public int thumbnailPages;
    public int skippedPages;
    public float planningMs;

    /** The model whose token arithmetic the plan used (name and checkpoint fingerprint). */
    @Column(nullable = false)
    public String model;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String plan;

    @Column(nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}

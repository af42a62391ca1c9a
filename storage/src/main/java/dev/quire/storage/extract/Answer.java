package dev.quire.storage.extract;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One answer of a job to one question about one document, with everything needed to trust, review and
 * reproduce it. Unique per (job, document, question key): a redone work item never adds a second row.
 */
@Entity
@Table(name = "answer")
public class Answer extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long jobId;

    @Column(nullable = false)
    public Long documentId;

    @Column(nullable = false)
    public String questionKey;

    @Column(nullable = false)
    public String question;

    public String valueType;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public AnswerStatus status;

    public String reason;
    public String rawOutput;
    public String answer;

    /** The typed value as JSON (a string, number, boolean, ISO date string or array); null when none. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String parsedValue;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<Integer> evidencePages;

    public Long planId;
    public String strategy;
    public String engine;
    public String model;
    public String modelCheckpoint;
    public String device;
    /** Compute precision of the engine (float32, bfloat16, float16; "server" for a remote engine). */
    public String precision;
    public Boolean demoModel;
    public Integer promptTokens;
    public Integer completionTokens;
    /**
     * Mean natural-log probability of the generated tokens of the reply that is the answer (the reduce call's, or every
     * chunk's when a rule combined them); null when the engine gave none (a server that does not return logprobs).
     */
    public Float meanLogprob;
    public Integer calls;
    public Integer attempts;
    public Float planMs;
    public Float renderMs;
    public Float visionMs;
    public Float prefillMs;
    public Float decodeMs;
    public Float totalMs;
    /** Images of this answer's calls whose encoding came from the engine's vision cache / that were encoded. */
    public Integer visionCacheHits;
    public Integer visionCacheMisses;
    /** Calls that continued from a cached prefilled prompt prefix, and the prompt tokens they did not prefill. */
    public Integer prefixCacheHits;
    public Integer prefixCacheTokens;
    public String worker;

    @Column(insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}

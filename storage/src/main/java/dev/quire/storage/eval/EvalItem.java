package dev.quire.storage.eval;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One question of an evaluation run: gold, prediction, score by the benchmark's rules. */
@Entity
@Table(name = "eval_item")
public class EvalItem extends PanacheEntityBase {
    public static final String SCORED = "SCORED";
    public static final String MISSING_DOC = "MISSING_DOC";
    public static final String NO_PREDICTION = "NO_PREDICTION";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long runId;

    @Column(nullable = false)
    public String itemKey;

    @Column(nullable = false)
    public String docId;

    public String docType;
    public Integer docPages;

    @Column(nullable = false)
    public String question;

    public String answerFormat;

    /** A JSON string (MMLongBench-Doc) or a JSON array of strings (ANLS). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String gold;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<Integer> evidencePages = new ArrayList<>();

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> evidenceSources = new ArrayList<>();

    @Column(nullable = false)
    public String status;

    public String rawOutput;
    public String pred;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<Integer> predEvidence;

    public Double score;
    public String note;
    public String grounding;
    public Long answerId;
    public Float totalMs;
}

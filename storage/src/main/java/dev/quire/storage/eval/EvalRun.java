package dev.quire.storage.eval;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One benchmark scored once: settings, engine and model identity, aggregates; its items hang off it. */
@Entity
@Table(name = "eval_run")
public class EvalRun extends PanacheEntityBase {
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";
    public static final String FAILED = "FAILED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String benchmark;

    @Column(nullable = false)
    public String name;

    @Column(nullable = false)
    public String source;

    /** Protocol settings (JSON object). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String settings;

    @Column(nullable = false)
    public String status;

    public String engine;
    public String model;
    public String modelCheckpoint;
    public String device;
    public boolean demoModel;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<Long> extractJobIds = new ArrayList<>();

    public int questions;
    public int scored;
    public Double accuracy;
    public Double f1;

    /** Loader problems: records left out, with the reason. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public List<String> problems = new ArrayList<>();

    @Column(insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public OffsetDateTime finishedAt;
}

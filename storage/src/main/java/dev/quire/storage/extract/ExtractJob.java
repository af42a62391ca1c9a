package dev.quire.storage.extract;

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

/** One question set over a set of documents; its work items and answers hang off it. */
@Entity
@Table(name = "extract_job")
public class ExtractJob extends PanacheEntityBase {
    public static final String RUNNING = "RUNNING";
    public static final String COMPLETED = "COMPLETED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String name;

    /** The question set as submitted (JSON). */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String questionSet;

    @Column(nullable = false)
    public String documents;

    @Column(nullable = false)
    public String status;

    public int totalItems;

    /** Documents the selection named but the job cannot use, one line each: "7 (scan.pdf): REJECTED: reason". */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public java.util.List<String> skipped = new java.util.ArrayList<>();
    public int questions;

    @Column(insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public OffsetDateTime finishedAt;
}

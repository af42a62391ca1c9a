package dev.quire.storage.ingest;

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

/** One input file of one run: every file ever ingested has such a row, with its outcome. */
@Entity
@Table(name = "source_file")
public class SourceFile extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long runId;

    /** Position in the run's deterministic input order (0-based). */
    public int seq;

    @Column(nullable = false)
    public String path;

    public Long sizeBytes;

    @Column(length = 64)
    public String sha256;

    public Long documentId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public InputStatus status;

    public String reason;

    public OffsetDateTime processedAt;
}

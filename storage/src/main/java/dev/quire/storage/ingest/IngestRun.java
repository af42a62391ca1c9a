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
import java.util.Optional;

/** One ingest over a list of sources. Running the same sources again while it is unfinished resumes it. */
@Entity
@Table(name = "ingest_run")
public class IngestRun extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The sources as given, one per line. */
    @Column(nullable = false)
    public String sources;

    /** SHA-256 of the normalized sources: how a re-run finds the run it resumes. */
    @Column(nullable = false, length = 64)
    public String sourcesKey;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public RunStatus status;

    public Long jobExecutionId;

    /** Inputs found by the scan; null until the scan has committed. */
    public Integer totalInputs;

    @Column(nullable = false)
    public OffsetDateTime startedAt;

    public OffsetDateTime finishedAt;

    public static Optional<IngestRun> unfinished(String sourcesKey) {
        return find("sourcesKey = ?1 and status <> ?2 order by id desc", sourcesKey, RunStatus.COMPLETED)
                .firstResultOptional();
    }
}

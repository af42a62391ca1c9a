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

    /** The process working on the run ("pid@host"), kept while its heartbeat is fresh. */
    public String owner;

    public OffsetDateTime heartbeatAt;

    @Column(nullable = false)
    public OffsetDateTime startedAt;

    public OffsetDateTime finishedAt;

    /** The encoder geometry this run renders pages for, e.g. {@code patch_size=14 merge_kernel_size=2x2 in_token_limit=4096 pad_input=true}. */
    public String renderGeometry;

    /** Where that geometry came from (the model's preprocessor_config.json, quire.render.* overrides). */
    public String renderGeometrySource;

    /**
     * Claims the run for {@code owner} if nobody holds it, the holder is {@code owner} itself, or the holder's
     * heartbeat is older than {@code staleSeconds} (its process died). Must run in a transaction.
     *
     * @return whether the claim succeeded
     */
    public static boolean claim(long runId, String owner, int staleSeconds) {
        OffsetDateTime now = OffsetDateTime.now();
        return getEntityManager().createQuery("""
                        update IngestRun r set r.owner = :owner, r.heartbeatAt = :now
                        where r.id = :id and (r.owner is null or r.owner = :owner or r.heartbeatAt < :staleBefore)""")
                .setParameter("owner", owner).setParameter("now", now).setParameter("id", runId)
                .setParameter("staleBefore", now.minusSeconds(staleSeconds))
                .executeUpdate() == 1;
    }

    /** Takes the run over from {@code deadOwner}, known to be gone; fails if someone else claimed it meanwhile. */
    public static boolean takeOver(long runId, String owner, String deadOwner) {
        return update("owner = ?1, heartbeatAt = ?2 where id = ?3 and owner = ?4",
                owner, OffsetDateTime.now(), runId, deadOwner) == 1;
    }

    public static Optional<IngestRun> unfinished(String sourcesKey) {
        return find("sourcesKey = ?1 and status <> ?2 order by id desc", sourcesKey, RunStatus.COMPLETED)
                .firstResultOptional();
    }
}

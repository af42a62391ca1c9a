package dev.quire.storage.extract;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** One document of an extraction job, claimed by one worker at a time under a lease. */
@Entity
@Table(name = "work_item")
public class WorkItem extends PanacheEntityBase {
    public static final String PENDING = "PENDING";
    public static final String CLAIMED = "CLAIMED";
    public static final String DONE = "DONE";
    public static final String FAILED = "FAILED";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long jobId;

    @Column(nullable = false)
    public Long documentId;

    @Column(nullable = false)
    public String status;

    public String owner;
    public OffsetDateTime leaseUntil;
    public int attempts;
    public String lastError;
    public OffsetDateTime startedAt;
    public OffsetDateTime finishedAt;
}

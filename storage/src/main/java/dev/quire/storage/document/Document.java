package dev.quire.storage.document;

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

/** A distinct input (by SHA-256): a PDF, an image, an Office file (paged through its converted PDF), or a file that was rejected or is unsupported. */
@Entity
@Table(name = "document")
public class Document extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true, length = 64)
    public String sha256;

    @Column(nullable = false)
    public String fileName;

    public String mediaType;

    public long sizeBytes;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DocumentStatus status;

    public String reason;

    public Integer pageCount;

    public int pagesFailed;

    /** SHA-256 of the original bytes in the blob store (equal to {@link #sha256} once stored). */
    public String originalBlob;

    /** For an Office file: SHA-256 of the PDF LibreOffice made of it (in the blob store), which the pages show. */
    public String convertedBlob;

    /** Time the conversion to PDF took; null when the document was not converted. */
    public Integer convertMs;

    /** The encoder geometry the pages were rendered for (as on {@code ingest_run.render_geometry}); null before it was kept. */
    public String renderGeometry;

    @Column(nullable = false)
    public OffsetDateTime createdAt;

    @Column(nullable = false)
    public OffsetDateTime updatedAt;

    public static Optional<Document> findBySha256(String sha256) {
        return find("sha256", sha256).firstResultOptional();
    }
}

package dev.quire.storage.document;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A page rendered again at a fixed resolution (an evaluation protocol's 144 DPI), kept apart from the page's
 * native-resolution image ({@link Page#imageSha256}) and keyed by document, page and DPI, so a job that asks for
 * one resolution is never given pages rendered at another. Text and words stay on the {@link Page} row.
 */
@Entity
@Table(name = "page_render")
public class PageRender extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long documentId;

    @Column(nullable = false)
    public int pageNo;

    @Column(nullable = false)
    public float dpi;

    /** The PNG in the blob store; null when the page failed to render at this DPI ({@link #error}). */
    @Column(name = "image_sha256", length = 64)
    public String imageSha256;

    public Integer widthPx;
    public Integer heightPx;

    /** The box around the page's ink in this image's pixels; null when the page has no ink. */
    @Column(name = "ink_x")
    public Integer inkX;
    @Column(name = "ink_y")
    public Integer inkY;
    public Integer inkWidth;
    public Integer inkHeight;

    public Integer renderMs;

    public String error;

    @Column(nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    public static List<PageRender> of(long documentId, float dpi) {
        return list("documentId = ?1 and dpi = ?2 order by pageNo", documentId, dpi);
    }
}

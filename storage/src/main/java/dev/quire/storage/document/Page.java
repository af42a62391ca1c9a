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
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One page of a document as the model sees it: the PNG (by SHA-256 in the blob store) at native
 * resolution, its geometry, its text layer with word boxes, and the render time. A page that failed
 * to render keeps its row with the error.
 */
@Entity
@Table(name = "page")
public class Page extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public Long documentId;

    /** 1-based. */
    @Column(nullable = false)
    public int pageNo;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public PageStatus status;

    public String error;

    /** Displayed size (rotation applied) in PDF points; pixels for image sources. */
    public Float widthPt;
    public Float heightPt;
    public Integer rotation;

    /** The PNG's size: a multiple of the encoder's alignment. */
    public Integer widthPx;
    public Integer heightPx;

    /** The part of the PNG covered by the page; the rest is white padding. */
    public Integer contentWidthPx;
    public Integer contentHeightPx;

    public Float dpi;

    @Column(name = "image_sha256", length = 64)
    public String imageSha256;

    public String text;

    @JdbcTypeCode(SqlTypes.JSON)
    public List<WordBox> words;

    /** Where {@link #text} and {@link #words} came from; null when the page has no words. */
    @Enumerated(EnumType.STRING)
    public TextSource textSource;

    /** Time OCR took (drawing the page for Tesseract included); null when the page was not OCR'd. */
    public Integer ocrMs;

    public Integer renderMs;
    public Integer textMs;

    /** The box around the page's ink, in PNG pixels; null when blank (or ingested before ink was measured). */
    @Column(name = "ink_x")
    public Integer inkX;
    @Column(name = "ink_y")
    public Integer inkY;
    public Integer inkWidth;
    public Integer inkHeight;

    /** True when the page has no ink at all; null when not measured. */
    public Boolean blank;

    /** Embeddings of the text's passages for relevance ranking (float32 little-endian rows); null when not computed. */
    public byte[] passageEmbeddings;
    public String embeddingModel;
    public Integer embedMs;

    public static List<Page> ofDocument(long documentId) {
        return list("documentId = ?1 order by pageNo", documentId);
    }
}

package dev.quire.ingestion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import dev.quire.ingestion.office.OfficeFormats;
import org.apache.tika.Tika;
import org.apache.tika.io.TikaInputStream;

/**
 * Classifies one input file: detects its type from content with Apache Tika, checks size and page limits,
 * and opens PDFs and images far enough to know they are readable. Never throws for a bad file: every
 * problem becomes a {@link Inspection.Verdict#REJECTED} verdict whose reason names the file. Thread-safe.
 */
public final class Inspector {
    public static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/tiff");
    private final Tika tika = new Tika();
    private final IngestLimits limits;
    private final String officeUnavailable;

    /** An inspector that pages PDFs and images only: Office files are {@code UNSUPPORTED}. */
    public Inspector(IngestLimits limits) {
        this(limits, "Office conversion is not set up here");
    }

    /**
     * @param officeUnavailable null when Office files can be converted to PDF; otherwise why not (e.g. LibreOffice is
     *                          not installed, and how to install it), which becomes their {@code UNSUPPORTED} reason
     */
    public Inspector(IngestLimits limits, String officeUnavailable) {
        this.limits = limits;
        this.officeUnavailable = officeUnavailable;
    }

    /** Inspects a PDF made from another file (an Office conversion): readable, within the page limit. */
    public Inspection inspectPdf(Path pdf, String name, Fingerprint fp) {
        return inspectPdf(pdf, name, fp, "application/pdf");
    }

    public Inspection inspect(Path file, Fingerprint fp) {
        String name = file.getFileName().toString();
        if (fp.size() == 0) {
            return rejected(fp, null, Inspection.Kind.OTHER, name + ": empty file (0 bytes)");
        }
        if (fp.size() > limits.maxBytes()) {
            return rejected(fp, null, Inspection.Kind.OTHER, name + ": file is " + fp.size() + " bytes, over the limit of "
                    + limits.maxBytes() + " bytes (quire.ingest.max-bytes)");
        }
        String type;
        // A TikaInputStream lets the container detectors look inside zip (OOXML, ODF) and OLE2 (DOC, XLS, PPT) files.
        try (InputStream in = TikaInputStream.get(file)) {
            type = tika.detect(in);
        } catch (IOException e) {
            return rejected(fp, null, Inspection.Kind.OTHER, name + ": cannot be read: " + e.getMessage());
        }
        if ("application/pdf".equals(type)) {
            return inspectPdf(file, name, fp, type);
        }
        if (IMAGE_TYPES.contains(type)) {
            return inspectImage(file, name, fp, type);
        }
        if (OfficeFormats.ENCRYPTED_OOXML.equals(type)) {
            return rejected(fp, type, Inspection.Kind.OFFICE, name + ": password-protected Office file (encrypted "
                    + "package; remove the password and ingest it again)");
        }
        if (OfficeFormats.isOffice(type)) {
            if (officeUnavailable != null) {
                return new Inspection(fp, type, Inspection.Kind.OFFICE, 0, Inspection.Verdict.UNSUPPORTED,
                        name + ": " + OfficeFormats.TYPES.get(type) + " file (" + type + ") not converted: " + officeUnavailable);
            }
            return new Inspection(fp, type, Inspection.Kind.OFFICE, 0, Inspection.Verdict.ACCEPTED, null);
        }
        return new Inspection(fp, type, Inspection.Kind.OTHER, 0, Inspection.Verdict.UNSUPPORTED,
                name + ": unsupported type " + type + " (Quire pages PDF, PNG, JPEG, TIFF and, through LibreOffice, "
                        + "Office documents)");
    }

    private Inspection inspectPdf(Path file, String name, Fingerprint fp, String type) {
        try (PDDocument doc = Loader.loadPDF(file.toFile(), "",
                MemoryUsageSetting.setupMixed(limits.mainMemoryBytes()).streamCache)) {
            int pages = doc.getNumberOfPages();
            if (pages == 0) {
                return rejected(fp, type, Inspection.Kind.PDF, name + ": PDF has no pages (broken page tree)");
            }
            if (pages > limits.maxPages()) {
                return rejected(fp, type, Inspection.Kind.PDF, name + ": " + pages + " pages, over the limit of "
                        + limits.maxPages() + " (quire.ingest.max-pages)");
            }
            return new Inspection(fp, type, Inspection.Kind.PDF, pages, Inspection.Verdict.ACCEPTED, null);
        } catch (InvalidPasswordException e) {
            return rejected(fp, type, Inspection.Kind.PDF,
                    name + ": encrypted PDF that needs a password to open (decrypt it and ingest again)");
        } catch (IOException e) {
            return rejected(fp, type, Inspection.Kind.PDF, name + ": not a readable PDF: " + e.getMessage());
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            return rejected(fp, type, Inspection.Kind.PDF, name + ": PDF parser failed: " + e);
        }
    }

    private Inspection inspectImage(Path file, String name, Fingerprint fp, String type) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                return rejected(fp, type, Inspection.Kind.IMAGE, name + ": no image reader for " + type);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                int frames = reader.getNumImages(true);
                if (frames <= 0) {
                    return rejected(fp, type, Inspection.Kind.IMAGE, name + ": image has no frames");
                }
                if (frames > limits.maxPages()) {
                    return rejected(fp, type, Inspection.Kind.IMAGE, name + ": " + frames + " frames, over the limit of "
                            + limits.maxPages() + " (quire.ingest.max-pages)");
                }
                for (int i = 0; i < frames; i++) {
                    if (reader.getWidth(i) <= 0 || reader.getHeight(i) <= 0) {
                        return rejected(fp, type, Inspection.Kind.IMAGE, name + ": frame " + (i + 1) + " is empty");
                    }
                }
                return new Inspection(fp, type, Inspection.Kind.IMAGE, frames, Inspection.Verdict.ACCEPTED, null);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return rejected(fp, type, Inspection.Kind.IMAGE, name + ": corrupt or truncated image: " + e.getMessage());
        }
    }

    private static Inspection rejected(Fingerprint fp, String type, Inspection.Kind kind, String reason) {
        return new Inspection(fp, type, kind, 0, Inspection.Verdict.REJECTED, reason);
    }
}

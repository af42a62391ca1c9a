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
import org.apache.tika.Tika;

/**
 * Classifies one input file: detects its type from content with Apache Tika, checks size and page limits,
 * and opens PDFs and images far enough to know they are readable. Never throws for a bad file: every
 * problem becomes a {@link Inspection.Verdict#REJECTED} verdict whose reason names the file. Thread-safe.
 */
public final class Inspector {
    public static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/tiff");
    private final Tika tika = new Tika();
    private final IngestLimits limits;

    public Inspector(IngestLimits limits) {
        this.limits = limits;
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
        try (InputStream in = Files.newInputStream(file)) {
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
        return new Inspection(fp, type, Inspection.Kind.OTHER, 0, Inspection.Verdict.UNSUPPORTED,
                name + ": unsupported type " + type + " (Quire pages PDF, PNG, JPEG and TIFF)");
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

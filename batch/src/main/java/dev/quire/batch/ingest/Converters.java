package dev.quire.batch.ingest;

import dev.quire.batch.QuireConfig;
import dev.quire.ingestion.office.LibreOffice;
import dev.quire.ingestion.office.OfficeConversions;
import dev.quire.ingestion.office.OfficeConverter;
import dev.quire.layout.ocr.OcrMode;
import dev.quire.layout.ocr.PageOcr;
import dev.quire.layout.ocr.Tesseract;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/**
 * The two outside programs ingest may use, shared by every render worker of the process: LibreOffice (Office → PDF,
 * started on the first Office file, stopped with the application) and Tesseract (OCR). Each says why it cannot be
 * used when it cannot: the setting that turned it off, or the Debian packages to install.
 */
@Singleton
public class Converters {
    private static final Logger LOG = Logger.getLogger(Converters.class);

    private final QuireConfig config;
    private final OcrMode ocrMode;
    private String officeUnavailable;
    private boolean officeChecked;
    private OfficeConversions office;
    private PageOcr ocr;
    private String ocrUnavailable;
    private boolean ocrChecked;

    public Converters(QuireConfig config) {
        this.config = config;
        this.ocrMode = OcrMode.parse(config.ocr().mode());
    }

    /** Null when Office files can be converted; otherwise the reason they are UNSUPPORTED. */
    public synchronized String officeUnavailable() {
        if (!officeChecked) {
            officeChecked = true;
            if (!config.convert().office()) {
                officeUnavailable = "Office conversion is off (quire.convert.office=false)";
            } else if (LibreOffice.home().isEmpty()) {
                officeUnavailable = "LibreOffice is not installed (" + LibreOffice.INSTALL_HINT + ")";
            }
        }
        return officeUnavailable;
    }

    /** The conversion pool; only when {@link #officeUnavailable()} is null. */
    public synchronized OfficeConversions office() {
        if (office == null) {
            if (officeUnavailable() != null) {
                throw new IllegalStateException(officeUnavailable());
            }
            OfficeConverter converter = officeConverter(config.convert().workers(), config.convert().timeout());
            office = new OfficeConversions(converter, config.convert().workers(), config.convert().timeout());
            LOG.infof("Office conversion through %s, %d s per file", converter, config.convert().timeout().toSeconds());
        }
        return office;
    }

    /** The converter behind the pool: the installed LibreOffice. */
    protected OfficeConverter officeConverter(int processes, java.time.Duration timeout) {
        return LibreOffice.installed(processes, timeout).orElseThrow();
    }

    /** OCR for pages under {@code quire.ocr.mode}, or null when the mode is never or Tesseract cannot run (logged once). */
    public synchronized PageOcr ocr() {
        if (!ocrChecked) {
            ocrChecked = true;
            if (ocrMode == OcrMode.NEVER) {
                ocrUnavailable = "OCR is off (quire.ocr.mode=never)";
            } else {
                ocrUnavailable = Tesseract.unavailable(config.ocr().languages());
                if (ocrUnavailable == null) {
                    ocr = new PageOcr(Tesseract.of(config.ocr().languages(), config.ocr().timeout()), ocrMode);
                } else {
                    LOG.warnf("pages without a text layer get no words: %s", ocrUnavailable);
                }
            }
        }
        return ocr;
    }

    @PreDestroy
    synchronized void stop() {
        if (office != null) {
            office.close();
            office = null;
        }
    }
}

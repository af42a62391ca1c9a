package dev.quire.layout.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** An open document whose pages can be rendered one at a time (one per worker thread). */
public interface PageSource extends AutoCloseable {

    int pageCount();

    /** Renders page {@code index} (0-based); an IOException names the file and page and costs only that page. */
    RenderedPage render(int index) throws IOException;

    /**
     * The page drawn for OCR: greyscale at about {@code dpi} (PDF pages), or the frame at its own resolution (images),
     * at most {@code maxPixels} pixels. The default is the rendered page's image. The caller scales word boxes from
     * this image to the page image's content area.
     */
    default BufferedImage ocrImage(int index, RenderedPage page, double dpi, long maxPixels) throws IOException {
        return page.image().getSubimage(0, 0, page.fit().contentWidth(), page.fit().contentHeight());
    }

    @Override
    void close() throws IOException;

    /** Opens a PDF ({@code application/pdf}) or a raster image ({@code image/*}) as pages. */
    static PageSource open(Path file, String mediaType, RenderSettings settings) throws IOException {
        if ("application/pdf".equals(mediaType)) {
            return PdfPageRenderer.open(file, settings);
        }
        if (mediaType != null && mediaType.startsWith("image/")) {
            return ImagePageRenderer.open(file, settings);
        }
        throw new IOException(file.getFileName() + ": cannot render media type " + mediaType);
    }
}

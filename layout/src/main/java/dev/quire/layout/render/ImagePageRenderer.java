package dev.quire.layout.render;

import dev.quire.layout.text.PageText;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Renders raster images (PNG, JPEG, TIFF; one page per TIFF frame) as pages: scaled down (bicubic) to
 * fit the pixel budget, never enlarged, and padded white to the alignment. One instance per worker.
 */
public final class ImagePageRenderer implements PageSource {
    private final Path file;
    private final ImageInputStream input;
    private final ImageReader reader;
    private final RenderSettings settings;
    private final int frames;

    private ImagePageRenderer(Path file, ImageInputStream input, ImageReader reader, RenderSettings settings)
            throws IOException {
        this.file = file;
        this.input = input;
        this.reader = reader;
        this.settings = settings;
        this.frames = reader.getNumImages(true);
    }

    public static ImagePageRenderer open(Path file, RenderSettings settings) throws IOException {
        ImageInputStream in = ImageIO.createImageInputStream(file.toFile());
        if (in == null) {
            throw new IOException(file.getFileName() + ": cannot be read as an image");
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            in.close();
            throw new IOException(file.getFileName() + ": no image reader understands this file");
        }
        ImageReader reader = readers.next();
        reader.setInput(in, false, true);
        try {
            return new ImagePageRenderer(file, in, reader, settings);
        } catch (IOException | RuntimeException e) {
            reader.dispose();
            in.close();
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int pageCount() {
        return frames;
    }

    @Override
    public RenderedPage render(int index) throws IOException {
        String what = "frame " + (index + 1) + " of " + file.getFileName();
        Deadline deadline = Deadline.after(settings.pageTimeout(), "reading " + what);
        Watchdog watchdog = new Watchdog(deadline);
        reader.addIIOReadProgressListener(watchdog);
        try {
            int sw = reader.getWidth(index);
            int sh = reader.getHeight(index);
            PageFit fit = PageFit.fit(sw, sh, settings, 1.0);
            long t0 = System.nanoTime();
            deadline.check();
            BufferedImage source = reader.read(index);
            if (watchdog.aborted) {
                throw new Deadline.PageTimeoutException(what + ": reading took longer than "
                        + settings.pageTimeout().toMillis() + " ms (page render timeout)");
            }
            deadline.check();
            BufferedImage canvas = fit.blankCanvas();
            Graphics2D g = canvas.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                g.drawImage(source, 0, 0, fit.contentWidth(), fit.contentHeight(), null);
            } finally {
                g.dispose();
            }
            return new RenderedPage(index + 1, sw, sh, 0, fit, canvas, PageText.EMPTY, System.nanoTime() - t0, 0);
        } catch (Deadline.PageTimeoutException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage(), e);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            throw new IOException(what + ": " + PdfPageRenderer.describe(e), e);
        } finally {
            reader.removeIIOReadProgressListener(watchdog);
        }
    }

    @Override
    public BufferedImage ocrImage(int index, RenderedPage page, double dpi, long maxPixels) throws IOException {
        int sw = reader.getWidth(index);
        int sh = reader.getHeight(index);
        if ((long) sw * sh <= (long) page.fit().contentWidth() * page.fit().contentHeight()) {
            return PageSource.super.ocrImage(index, page, dpi, maxPixels);
        }
        BufferedImage source = reader.read(index);
        double f = Math.min(1, Math.sqrt((double) maxPixels / ((long) sw * sh)));
        if (f >= 1) {
            return source;
        }
        int w = Math.max(1, (int) (sw * f));
        int h = Math.max(1, (int) (sh * f));
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(source, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return scaled;
    }

    /** Aborts a frame's decoding once its deadline has passed (ImageIO reports progress while it decodes). */
    private static final class Watchdog implements IIOReadProgressListener {
        private final Deadline deadline;
        volatile boolean aborted;

        Watchdog(Deadline deadline) {
            this.deadline = deadline;
        }

        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            if (deadline.expired()) {
                aborted = true;
                source.abort();
            }
        }

        @Override
        public void sequenceStarted(ImageReader source, int minIndex) {
        }

        @Override
        public void sequenceComplete(ImageReader source) {
        }

        @Override
        public void imageStarted(ImageReader source, int imageIndex) {
            imageProgress(source, 0);
        }

        @Override
        public void imageComplete(ImageReader source) {
        }

        @Override
        public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {
        }

        @Override
        public void thumbnailProgress(ImageReader source, float percentageDone) {
        }

        @Override
        public void thumbnailComplete(ImageReader source) {
        }

        @Override
        public void readAborted(ImageReader source) {
            aborted = true;
        }
    }

    @Override
    public void close() throws IOException {
        reader.dispose();
        input.close();
    }
}

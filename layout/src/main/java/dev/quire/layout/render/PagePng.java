package dev.quire.layout.render;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Lossless PNG encoding of page images. PNG deflate dominates the cost of a rendered page, so the writer
 * uses a fast deflate level: the image is bit-identical, only the file is somewhat larger.
 */
public final class PagePng {
    /** ImageIO's PNG writer maps quality q to deflate level round(9 × (1 − q)); 0.9 gives level 1. */
    private static final float FAST_DEFLATE_QUALITY = 0.9f;

    private PagePng() {
    }

    public static byte[] encode(BufferedImage image) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(image.getWidth() * image.getHeight() / 4);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(FAST_DEFLATE_QUALITY);
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding of a " + image.getWidth() + "x" + image.getHeight()
                    + " page image failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}

package dev.quire.vlm.engine;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** A piece of the user's message: text, or an image (decoded pixels, or PNG/JPEG bytes). */
public sealed interface PromptPart {

    record Text(String text) implements PromptPart {
    }

    /**
     * An image and, when the caller knows it, the identity of exactly these pixels (e.g. the stored page's SHA-256
     * with the crop and size the plan sent). The embedded engine keys its vision-encoding and prompt-prefix caches
     * by it; without one it derives a key from the processed patches. Two images with the same key must be the same
     * pixels.
     */
    record Image(BufferedImage pixels, String key) implements PromptPart {
        public Image(BufferedImage pixels) {
            this(pixels, null);
        }
    }

    static Text text(String s) {
        return new Text(s);
    }

    static Image image(BufferedImage pixels) {
        return new Image(pixels);
    }

    /** An image with the identity of its exact pixels (see {@link Image}). */
    static Image image(BufferedImage pixels, String key) {
        return new Image(pixels, key);
    }

    /** Decodes PNG (or JPEG) bytes; a bad image is an error naming the problem. */
    static Image png(byte[] bytes) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            if (img == null) {
                throw new IllegalArgumentException("image bytes (" + bytes.length + ") are not a PNG or JPEG");
            }
            return new Image(img);
        } catch (IOException e) {
            throw new UncheckedIOException("image bytes cannot be decoded: " + e.getMessage(), e);
        }
    }
}

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

    record Image(BufferedImage pixels) implements PromptPart {
    }

    static Text text(String s) {
        return new Text(s);
    }

    static Image image(BufferedImage pixels) {
        return new Image(pixels);
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

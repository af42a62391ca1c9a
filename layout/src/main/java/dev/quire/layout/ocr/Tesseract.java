package dev.quire.layout.ocr;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/**
 * Tesseract through its command line ({@code tesseract stdin stdout -l LANGS tsv}): the page image goes in as PNG on
 * stdin, words with boxes and confidences come back as TSV. Chosen over the in-process bindings by measurement (see
 * {@code bench/OcrBench.java}): the recognition itself dominates, and a process per page bounds a crash or a hang to
 * that page (it is killed at the timeout). One Tesseract thread per process ({@code OMP_THREAD_LIMIT=1}); parallelism
 * comes from the render workers. Thread-safe.
 */
public final class Tesseract {
    /** The Debian packages for the engine and English; other languages are {@code tesseract-ocr-<lang>}. */
    public static final String INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-eng";

    private final String executable;
    private final String languages;
    private final Duration timeout;

    private Tesseract(String executable, String languages, Duration timeout) {
        this.executable = executable;
        this.languages = languages;
        this.timeout = timeout;
    }

    /** Why Tesseract cannot be used with {@code languages} ("+"-separated, e.g. {@code eng+deu}), or null when it can. */
    public static String unavailable(String languages) {
        List<String> have;
        try {
            Process p = new ProcessBuilder(executable(), "--list-langs").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "tesseract --list-langs failed: " + out.strip();
            }
            have = Arrays.stream(out.split("\\R")).map(String::strip).toList();
        } catch (IOException e) {
            return "Tesseract is not installed (" + INSTALL_HINT + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking Tesseract";
        }
        List<String> missing = Arrays.stream(languages.split("\\+")).map(String::strip)
                .filter(l -> !have.contains(l)).toList();
        return missing.isEmpty() ? null : "Tesseract has no language data for " + String.join(", ", missing)
                + " (apt-get install " + String.join(" ", missing.stream().map(l -> "tesseract-ocr-" + l).toList()) + ")";
    }

    private static String executable() {
        return Files.isExecutable(Path.of("/usr/bin/tesseract")) ? "/usr/bin/tesseract" : "tesseract";
    }

    /** The engine for {@code languages}; {@link #unavailable} says first whether it can run. */
    public static Tesseract of(String languages, Duration timeout) {
        if (!languages.matches("[A-Za-z0-9_]+(\\+[A-Za-z0-9_]+)*")) {
            throw new IllegalArgumentException("quire.ocr.languages must be Tesseract language codes joined by '+', got '"
                    + languages + "'");
        }
        return new Tesseract(executable(), languages, timeout);
    }

    public String languages() {
        return languages;
    }

    /**
     * The words on {@code image} in reading order, each with its box in the image's pixels.
     *
     * @param dpi the image's resolution (Tesseract sizes its text-height heuristics by it)
     */
    public List<OcrWord> recognize(BufferedImage image, int dpi) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return recognize(png.toByteArray(), dpi);
    }

    /** As {@link #recognize(BufferedImage, int)} for an encoded image (PNG, TIFF, JPEG). */
    public List<OcrWord> recognize(byte[] encodedImage, int dpi) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(executable, "stdin", "stdout", "-l", languages, "--dpi",
                Integer.toString(Math.max(70, dpi)), "--psm", "3", "tsv");
        pb.environment().put("OMP_THREAD_LIMIT", "1");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write(encodedImage);
            } catch (IOException e) {
                // tesseract exited early; its exit code says why
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("OCR did not finish within " + timeout.toSeconds() + " s (quire.ocr.timeout)");
            }
            if (p.exitValue() != 0) {
                throw new IOException("tesseract exited with code " + p.exitValue());
            }
            return parseTsv(new String(out.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during OCR", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("OCR output could not be read: " + e, e);
        }
    }

    /** Tesseract's TSV: level, page, block, paragraph, line, word, left, top, width, height, conf, text. */
    static List<OcrWord> parseTsv(String tsv) {
        List<OcrWord> words = new ArrayList<>();
        int line = -1;
        String lastLine = null;
        for (String row : tsv.split("\n")) {
            String[] f = row.split("\t", -1);
            if (f.length < 12 || !f[0].equals("5")) {
                continue;
            }
            String text = f[11].strip();
            float conf;
            try {
                conf = Float.parseFloat(f[10]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (text.isEmpty() || conf < 0) {
                continue;
            }
            String key = f[2] + "/" + f[3] + "/" + f[4];
            if (!key.equals(lastLine)) {
                line++;
                lastLine = key;
            }
            int x = Integer.parseInt(f[6]);
            int y = Integer.parseInt(f[7]);
            words.add(new OcrWord(text, x, y, x + Integer.parseInt(f[8]), y + Integer.parseInt(f[9]), conf, line));
        }
        return words;
    }
}

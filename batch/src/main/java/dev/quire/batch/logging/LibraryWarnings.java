package dev.quire.batch.logging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.LogRecord;
import org.jboss.logging.MDC;

/**
 * Warnings and errors that third-party libraries (PDFBox, Tika, ImageIO plugins, …) log while Quire reads an input:
 * they go to {@code $QUIRE_HOME/logs/quire.log} in full, and are counted here by input file and kind, so a command
 * can print a short summary instead of interleaving them with its progress bar.
 */
public final class LibraryWarnings {
    /** The MDC key naming the input being processed on this thread (set around each input's processing). */
    public static final String INPUT = "quire.input";
    private static final Map<String, Map<String, LongAdder>> COUNTS = new ConcurrentHashMap<>();
    private static final List<String> LIBRARIES = List.of("org.apache.pdfbox", "org.apache.fontbox", "org.apache.tika",
            "com.github.jaiimageio", "org.apache.lucene", "ai.djl", "dev.langchain4j");

    private LibraryWarnings() {
    }

    /** True for a record from a library whose messages belong in the log file, not on the console. */
    public static boolean fromLibrary(LogRecord r) {
        String name = r.getLoggerName();
        if (name == null) {
            return false;
        }
        for (String l : LIBRARIES) {
            if (name.startsWith(l)) {
                return true;
            }
        }
        return false;
    }

    static void count(LogRecord r) {
        Object input = MDC.get(INPUT);
        String file = input == null ? "(no input)" : input.toString();
        String logger = r.getLoggerName();
        String kind = logger.substring(logger.lastIndexOf('.') + 1) + " " + r.getLevel().getName().toLowerCase();
        COUNTS.computeIfAbsent(file, f -> new ConcurrentHashMap<>()).computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** Forgets what was counted (a command starting). */
    public static void reset() {
        COUNTS.clear();
    }

    /** Lines of the summary: one per input file, its warnings by kind, at most {@code files} files. */
    public static List<String> summary(int files) {
        Map<String, Map<String, LongAdder>> sorted = new TreeMap<>(COUNTS);
        List<String> out = new ArrayList<>();
        for (var e : sorted.entrySet()) {
            if (out.size() == files) {
                out.add("… and " + (sorted.size() - files) + " more files");
                break;
            }
            StringBuilder b = new StringBuilder(e.getKey()).append(": ");
            List<String> kinds = new ArrayList<>();
            new TreeMap<>(e.getValue()).forEach((k, n) -> kinds.add(n.sum() + " × " + k));
            out.add(b.append(String.join(", ", kinds)).toString());
        }
        return out;
    }
}

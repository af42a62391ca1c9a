package dev.quire.batch.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A progress display for long runs: a live bar redrawn in place on a terminal, plain periodic lines
 * otherwise (logs, CI). Shows documents done/total, pages, pages/s and an ETA.
 */
final class ProgressLine {
    private static final int BAR = 28;
    private final PrintStream out;
    private final boolean terminal;
    private final Duration plainEvery;
    private final long started = System.nanoTime();
    private boolean printed = false;
    private long lastPlain;
    private int lastWidth = 0;

    ProgressLine(PrintStream out, boolean terminal, Duration plainEvery) {
        this.out = out;
        this.terminal = terminal;
        this.plainEvery = plainEvery;
    }

    static ProgressLine forStdout() {
        java.io.Console c = System.console();
        return new ProgressLine(System.out, c != null && c.isTerminal(), Duration.ofSeconds(10));
    }

    /** Shows the state; {@code total} may be null while the inputs are still being scanned. */
    void update(long done, Integer total, long pages, long failedPages) {
        show(format(done, total, pages, failedPages, seconds()));
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** Shows a line: redrawn in place on a terminal, at most every few seconds otherwise. */
    void show(String line) {
        long now = System.nanoTime();
        if (!terminal && printed && now - lastPlain < plainEvery.toNanos()) {
            return;
        }
        printed = true;
        lastPlain = now;
        if (terminal) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())));
            lastWidth = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    void finish(long done, Integer total, long pages, long failedPages) {
        finish(format(done, total, pages, failedPages, seconds()));
    }

    void finish(String line) {
        out.println(terminal ? "\r" + line + " ".repeat(Math.max(0, lastWidth - line.length())) : line);
    }

    /** Extraction: documents done/total, answers stored/expected, answers/s, failures, ETA. */
    static String extractFormat(long docsDone, long docsTotal, long answers, long answersTotal, long failures,
                                long answersThisRun, double seconds) {
        double rate = seconds > 0 ? answersThisRun / seconds : 0;
        int filled = answersTotal == 0 ? BAR : (int) (BAR * Math.min(1.0, (double) answers / answersTotal));
        StringBuilder s = new StringBuilder();
        s.append('[').append("#".repeat(filled)).append("-".repeat(BAR - filled)).append("] ")
                .append(docsDone).append('/').append(docsTotal).append(" documents | ")
                .append(answers).append('/').append(answersTotal).append(" answers")
                .append(String.format(Locale.ROOT, " (%.2f answers/s)", rate));
        if (failures > 0) {
            s.append(" | ").append(failures).append(" failed");
        }
        if (answersThisRun > 0 && answers < answersTotal) {
            long eta = Math.round(seconds / answersThisRun * (answersTotal - answers));
            s.append(String.format(Locale.ROOT, " | ETA %d:%02d", eta / 60, eta % 60));
        }
        return s.toString();
    }

    static String format(long done, Integer total, long pages, long failedPages, double seconds) {
        double rate = seconds > 0 ? pages / seconds : 0;
        StringBuilder s = new StringBuilder();
        if (total == null) {
            s.append("scanning sources…");
        } else {
            int filled = total == 0 ? BAR : (int) (BAR * Math.min(1.0, (double) done / total));
            s.append('[').append("#".repeat(filled)).append("-".repeat(BAR - filled)).append("] ")
                    .append(done).append('/').append(total).append(" documents");
        }
        s.append(String.format(Locale.ROOT, " | %d pages (%.1f pages/s)", pages, rate));
        if (failedPages > 0) {
            s.append(" | ").append(failedPages).append(" pages failed");
        }
        if (total != null && done > 0 && done < total) {
            long eta = Math.round(seconds / done * (total - done));
            s.append(String.format(Locale.ROOT, " | ETA %d:%02d", eta / 60, eta % 60));
        }
        return s.toString();
    }
}

package dev.quire.ingestion;

import java.util.List;

/** Prints what {@link SourceScanner} makes of its arguments, one source per line (for a scan as an unprivileged user). */
public final class ScanChild {
    private ScanChild() {
    }

    public static void main(String[] args) {
        for (SourceScanner.Source s : SourceScanner.expand(List.of(args))) {
            System.out.println(s.path() + "\t" + (s.problem() == null ? "" : s.problem()));
        }
    }
}

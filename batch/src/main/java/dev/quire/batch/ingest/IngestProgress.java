package dev.quire.batch.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicLong;

/** Live counters of this process's ingest work, for the progress bar (the database has the committed truth). */
@ApplicationScoped
public class IngestProgress {
    private final AtomicLong pages = new AtomicLong();
    private final AtomicLong failedPages = new AtomicLong();

    void pageDone(boolean ok) {
        pages.incrementAndGet();
        if (!ok) {
            failedPages.incrementAndGet();
        }
    }

    public long pages() {
        return pages.get();
    }

    public long failedPages() {
        return failedPages.get();
    }
}

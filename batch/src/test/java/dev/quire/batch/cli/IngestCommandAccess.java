package dev.quire.batch.cli;

import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import java.util.List;

/** Lets tests in other packages run an ingest the way the command line does (progress, summary). */
public final class IngestCommandAccess {
    private IngestCommandAccess() {
    }

    public static boolean run(IngestService ingest, IngestProgress live, List<String> sources) throws InterruptedException {
        return IngestCommand.run(ingest, live, sources).ok();
    }
}

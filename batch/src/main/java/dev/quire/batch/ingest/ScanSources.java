package dev.quire.batch.ingest;

import dev.quire.ingestion.Fingerprint;
import dev.quire.ingestion.SourceScanner;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.DocumentStatus;
import dev.quire.storage.ingest.IngestRun;
import dev.quire.storage.ingest.InputStatus;
import dev.quire.storage.ingest.SourceFile;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.batch.api.AbstractBatchlet;
import jakarta.batch.api.BatchProperty;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Step 1 of the ingest job: expands the run's sources into input rows, hashes every file and decides
 * duplicates deterministically (the first occurrence of a SHA-256 in input order is processed; later
 * ones, and bytes already stored by an earlier run, are DUPLICATE). Commits all rows at once, so a run
 * is either scanned completely or not at all; a restarted run skips this step.
 */
@Named("scanSources")
@Dependent
public class ScanSources extends AbstractBatchlet {
    private static final Logger LOG = Logger.getLogger(ScanSources.class);

    @Inject
    @BatchProperty
    String runId;

    private record Scanned(SourceScanner.Source source, Fingerprint fingerprint, String problem) {
    }

    @Override
    public String process() {
        long id = Long.parseLong(runId);
        IngestRun run = QuarkusTransaction.requiringNew().call(() -> IngestRun.<IngestRun>findById(id));
        if (run == null) {
            throw new IllegalStateException("ingest run " + id + " does not exist");
        }
        if (run.totalInputs != null) {
            LOG.infof("ingest run %d: sources already scanned (%d inputs), resuming", id, run.totalInputs);
            return "ALREADY_SCANNED";
        }
        List<SourceScanner.Source> sources = SourceScanner.expand(List.of(run.sources.split("\n")));
        List<Scanned> scanned = new ArrayList<>(sources.size());
        for (SourceScanner.Source s : sources) {
            if (!s.readable()) {
                scanned.add(new Scanned(s, null, s.problem()));
                continue;
            }
            try {
                scanned.add(new Scanned(s, Fingerprint.of(s.path()), null));
            } catch (IOException e) {
                scanned.add(new Scanned(s, null, s.path().getFileName() + ": cannot be read: " + e.getMessage()));
            }
        }
        QuarkusTransaction.requiringNew().run(() -> record(id, scanned, run.renderGeometry));
        LOG.infof("ingest run %d: %d inputs from %s", id, scanned.size(), run.sources.replace('\n', ' '));
        return "SCANNED";
    }

    /** @param geometry the geometry this run renders for (a stored document rendered for another is noted) */
    private static void record(long runId, List<Scanned> scanned, String geometry) {
        OffsetDateTime now = OffsetDateTime.now();
        Map<String, Long> firstInRun = new HashMap<>();
        int seq = 0;
        for (Scanned s : scanned) {
            SourceFile f = new SourceFile();
            f.runId = runId;
            f.seq = seq++;
            f.path = s.source().path().toString();
            if (s.problem() != null) {
                f.status = InputStatus.REJECTED;
                f.reason = s.problem();
                f.processedAt = now;
                f.persist();
                continue;
            }
            Fingerprint fp = s.fingerprint();
            f.sizeBytes = fp.size();
            f.sha256 = fp.sha256();
            Long seen = firstInRun.get(fp.sha256());
            if (seen != null) {
                duplicate(f, seen, now);
                continue;
            }
            Document doc = Document.findBySha256(fp.sha256()).orElse(null);
            if (doc != null && doc.status.isFinal()) {
                duplicate(f, doc.id, now);
                if (geometry != null && doc.renderGeometry != null && !doc.renderGeometry.equals(geometry)) {
                    // Stored pages are not rendered again: say so, since the model's processor will resize or pad them.
                    f.reason += "; its pages were rendered for " + doc.renderGeometry + ", not for this run's "
                            + geometry + " (they are kept as stored; the model's image processor resizes or pads them)";
                    LOG.warnf("%s", f.reason);
                }
                firstInRun.put(fp.sha256(), doc.id);
                continue;
            }
            if (doc == null) {
                doc = new Document();
                doc.sha256 = fp.sha256();
                doc.fileName = fileName(s.source().path());
                doc.sizeBytes = fp.size();
                doc.status = DocumentStatus.PENDING;
                doc.createdAt = now;
                doc.updatedAt = now;
                doc.persist();
            }
            // A PENDING document left by a run that never finished is processed by this run.
            firstInRun.put(fp.sha256(), doc.id);
            f.documentId = doc.id;
            f.status = InputStatus.PENDING;
            f.persist();
        }
        IngestRun run = IngestRun.findById(runId);
        run.totalInputs = scanned.size();
    }

    private static void duplicate(SourceFile f, long documentId, OffsetDateTime now) {
        f.documentId = documentId;
        f.status = InputStatus.DUPLICATE;
        f.reason = Path.of(f.path).getFileName() + ": same bytes as document " + documentId;
        f.processedAt = now;
        f.persist();
    }

    private static String fileName(Path p) {
        Path name = p.getFileName();
        return name == null ? p.toString() : name.toString();
    }
}

package dev.quire.batch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Every input file ever ingested: document id, status (READY, PARTIAL, REJECTED, UNSUPPORTED, "
                + "DUPLICATE, PENDING), page count, whether it was converted to PDF (Office files), its pages OCR'd, "
                + "and the reason.")
public class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "print a JSON array (one object per input) for scripts")
    boolean json;

    @Option(names = "--run", description = "only the inputs of this ingest run")
    Long run;

    private final EntityManager em;
    private final ObjectMapper mapper;

    public StatusCommand(EntityManager em, ObjectMapper mapper) {
        this.em = em;
        this.mapper = mapper;
    }

    /** One input file and what became of it. */
    /** {@code converted}: an Office file paged through its PDF; {@code ocrPages}: pages whose words came from OCR. */
    public record InputStatusRow(long run, int seq, String path, Long documentId, String status, Integer pageCount,
                                 Integer pagesFailed, String reason, String sha256, boolean converted, long ocrPages) {
    }

    @Override
    public Integer call() throws Exception {
        List<InputStatusRow> rows = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "select new dev.quire.batch.cli.StatusCommand$InputStatusRow(f.runId, f.seq, f.path, f.documentId, "
                                + "cast(f.status as String), d.pageCount, d.pagesFailed, f.reason, f.sha256, "
                                + "case when d.convertedBlob is null then false else true end, "
                                + "(select count(p) from Page p where p.documentId = d.id "
                                + "and p.textSource = dev.quire.storage.document.TextSource.OCR)) "
                                + "from SourceFile f left join Document d on d.id = f.documentId "
                                + "where (:run is null or f.runId = :run) order by f.runId, f.seq", InputStatusRow.class)
                .setParameter("run", run)
                .getResultList());
        if (json) {
            System.out.println(mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(rows));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%-4s %-6s %-11s %5s %4s %4s  %-40s %s%n", "run", "doc", "status", "pages", "conv",
                "ocr", "file", "reason");
        for (InputStatusRow r : rows) {
            String file = r.path().length() > 40 ? "…" + r.path().substring(r.path().length() - 39) : r.path();
            System.out.printf(Locale.ROOT, "%-4d %-6s %-11s %5s %4s %4s  %-40s %s%n", r.run(),
                    r.documentId() == null ? "-" : r.documentId(), r.status(),
                    r.pageCount() == null ? "-" : r.pageCount(), r.converted() ? "pdf" : "-",
                    r.ocrPages() == 0 ? "-" : r.ocrPages(), file, r.reason() == null ? "" : r.reason());
        }
        // an input seen twice (a duplicate) names the same document: count each document once
        long converted = rows.stream().filter(r -> r.converted() && !"DUPLICATE".equals(r.status())).count();
        long ocr = rows.stream().filter(r -> !"DUPLICATE".equals(r.status())).mapToLong(InputStatusRow::ocrPages).sum();
        System.out.println(rows.size() + " inputs, " + converted + " Office files converted to PDF, " + ocr
                + " pages OCR'd");
        return 0;
    }
}

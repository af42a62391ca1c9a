package dev.quire.batch.ingest;

import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import dev.quire.batch.testing.QuireProcess;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart invariant, end to end with real processes: an ingest killed with SIGKILL midway and run
 * again with the same sources ends with exactly the documents, pages and input rows of an uninterrupted run.
 */
@Tag("slow")
class IngestKillResumeIT {
    /** The samples (a damaged stream and a broken file among them) and generated reports: 12 inputs, 83 pages. */
    static final String[] SAMPLES = {"federal-register-2020-17221.pdf", "metropolis-demo.pdf", "f1040nr.pdf",
            "libreoffice-form.pdf", "multipage-scan.pdf", "ocrmypdf-invalid.pdf", "qpdf-damaged-stream.pdf"};
    static final int FILES = SAMPLES.length + 5;
    static final Map<String, String> PROPS = Map.of("quire.render.workers", "2", "quarkus.log.level", "WARN");

    @TempDir
    Path tmp;

    @Test
    void restartAfterKillLosesNothingAndDuplicatesNothing() throws Exception {
        Path docs = tmp.resolve("docs");
        Files.createDirectories(docs);
        for (String n : SAMPLES) {
            Files.copy(Samples.file(n), docs.resolve(n));
        }
        for (int i = 1; i <= 5; i++) {
            Pdfs.report(docs.resolve("report-" + i + ".pdf"), 4, 7000 + i);
        }

        Path straight = tmp.resolve("straight");
        Process p = QuireProcess.command(straight, tmp.resolve("straight.log"), PROPS, "ingest", docs.toString()).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "uninterrupted ingest did not finish");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("straight.log")));
        List<String> expected;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(straight.resolve("db"), 0);
             Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
            expected = snapshot(c);
        }

        Path killed = tmp.resolve("killed");
        Process victim = QuireProcess.command(killed, tmp.resolve("killed.log"), PROPS, "ingest", docs.toString()).start();
        long done = waitForSomeButNotAllInputs(killed, victim);
        victim.destroyForcibly();
        assertTrue(victim.waitFor(30, TimeUnit.SECONDS));
        assertTrue(done >= 1 && done < FILES, "killed after " + done + " inputs");

        try {
            Process again = QuireProcess.command(killed, tmp.resolve("resumed.log"), PROPS, "ingest", docs.toString()).start();
            assertTrue(again.waitFor(5, TimeUnit.MINUTES), "resumed ingest did not finish");
            String log = Files.readString(tmp.resolve("resumed.log"));
            assertEquals(0, again.exitValue(), log);
            assertTrue(log.contains("Resuming ingest run 1"), log);
            Process status = QuireProcess.command(killed, tmp.resolve("status.json"), Map.of("quarkus.log.level", "ERROR"),
                    "status", "--json").start();
            assertTrue(status.waitFor(2, TimeUnit.MINUTES));
            assertEquals(0, status.exitValue());
            String json = Files.readString(tmp.resolve("status.json"));
            com.fasterxml.jackson.databind.JsonNode inputs = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(json.substring(json.indexOf('[')));
            assertEquals(FILES, inputs.size(), json);
            for (com.fasterxml.jackson.databind.JsonNode i : inputs) {
                String st = i.get("status").asText();
                assertTrue(List.of("READY", "PARTIAL", "REJECTED").contains(st), i.toString());
                assertTrue(i.get("documentId").isNumber(), i.toString());
                if (st.equals("READY")) {
                    assertTrue(i.get("pageCount").asInt() > 0, i.toString());
                } else if (st.equals("REJECTED")) {
                    assertTrue(i.get("reason").asText().startsWith(Path.of(i.get("path").asText()).getFileName() + ": "), i.toString());
                }
            }
            // The last quire process to leave stopped the shared embedded server: open it again to read the rows.
            try (EmbeddedDatabase db = EmbeddedDatabase.start(killed.resolve("db"), 0);
                 Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
                List<String> actual = snapshot(c);
                assertEquals(expected, actual);
                try (Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from quire.ingest_run where status = 'COMPLETED'")) {
                    rs.next();
                    assertEquals(1, rs.getInt(1), "the resumed run is the same run, now COMPLETED");
                }
            }
        } finally {
            QuireProcess.stopServer(killed);
        }
    }

    /** Waits until the victim has committed at least one input and before it has committed them all. */
    private static long waitForSomeButNotAllInputs(Path home, Process victim) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline && victim.isAlive()) {
            if (Files.exists(home.resolve("db/postmaster.pid"))) {
                try (Connection c = QuireProcess.connect(home); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select count(*) from quire.source_file where status <> 'PENDING'")) {
                    rs.next();
                    long n = rs.getLong(1);
                    if (n >= 2) {
                        return n;
                    }
                } catch (SQLException | java.io.IOException | IndexOutOfBoundsException notReadyYet) {
                    // server starting or schema not migrated yet
                }
            }
            Thread.sleep(20);
        }
        fail("the ingest never got midway (alive: " + victim.isAlive() + ")");
        return -1;
    }

    /** Everything an ingest produces, in a canonical order, free of ids and timestamps. */
    static List<String> snapshot(Connection c) throws SQLException {
        List<String> rows = new ArrayList<>();
        query(c, rows, "select 'doc', sha256, file_name, media_type, status, coalesce(reason,''), page_count, pages_failed,"
                + " coalesce(original_blob,'') from quire.document order by sha256");
        query(c, rows, "select 'page', d.sha256, p.page_no, p.status, p.width_px, p.height_px, p.image_sha256,"
                + " md5(coalesce(p.text,'')), jsonb_array_length(coalesce(p.words,'[]'::jsonb)),"
                + " p.ink_x, p.ink_y, p.ink_width, p.ink_height, p.blank, length(p.passage_embeddings) from quire.page p"
                + " join quire.document d on d.id = p.document_id order by d.sha256, p.page_no");
        query(c, rows, "select 'input', f.seq, f.path, f.status, coalesce(f.reason,''), coalesce(d.sha256,'')"
                + " from quire.source_file f left join quire.document d on d.id = f.document_id order by f.run_id, f.seq");
        return rows;
    }

    private static void query(Connection c, List<String> out, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? " | " : "").append(rs.getString(i));
                }
                out.add(b.toString());
            }
        }
    }
}

package dev.quire.batch.extract;

import dev.quire.fixtures.Pdfs;
import dev.quire.batch.testing.QuireProcess;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction at scale-out, with the packaged application against one PostgreSQL: three `quire worker` processes
 * share a job and one is killed with SIGKILL in the middle of a document; then a lone `quire extract` is killed
 * and the job is finished by a new worker. Every (document, question) ends with exactly one answer.
 */
@Tag("slow")
class ExtractWorkersIT {
    static final Map<String, String> FAST = Map.of("quire.extract.lease-seconds", "4", "quire.extract.workers", "1",
            "quire.plan.context-tokens", "2500", "quire.plan.answer-tokens", "12");

    @TempDir
    Path tmp;

    Process start(EmbeddedDatabase db, String name, String... args) throws Exception {
        return QuireProcess.commandWithDatabase(tmp.resolve("home"), tmp.resolve(name + ".log"), db.jdbcUrl(), FAST, args)
                .start();
    }

    String finish(Process p, String name) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " did not finish");
        String log = Files.readString(tmp.resolve(name + ".log"));
        assertEquals(0, p.exitValue(), name + ":\n" + log);
        return log;
    }

    static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    long submit(EmbeddedDatabase db, Path questions, String name) throws Exception {
        String out = finish(start(db, name, "extract", "--questions", questions.toString(), "--submit-only"), name);
        Matcher m = Pattern.compile("Submitted extraction job (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    /** Waits until a process has stored an answer (so it is mid-document), then kills it with SIGKILL. */
    void killMidDocument(Connection c, Process p, long job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (scalar(c, "select count(*) from quire.answer where job_id = " + job + " and worker like '" + p.pid() + "@%'") == 0) {
            assertTrue(p.isAlive(), "worker " + p.pid() + " ended before it could be killed");
            assertTrue(System.nanoTime() < deadline, "worker " + p.pid() + " stored no answer in 4 minutes");
            Thread.sleep(100);
        }
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
    }

    static String state(Connection c, long job) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select w.document_id, w.status, w.owner, "
                + "w.attempts, w.last_error, (select string_agg(a.question_key || '=' || a.status, ',') from quire.answer a "
                + "where a.job_id = w.job_id and a.document_id = w.document_id) from quire.work_item w where w.job_id = " + job
                + " order by w.document_id")) {
            while (rs.next()) {
                b.append("\n  doc ").append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(" owner ")
                        .append(rs.getString(3)).append(" attempts ").append(rs.getInt(4)).append(" error ")
                        .append(rs.getString(5)).append(" answers ").append(rs.getString(6));
            }
        }
        return b.toString();
    }

    static void assertExactlyOneAnswerEach(Connection c, long job, long documents, long questions) throws SQLException {
        assertEquals(documents * questions, scalar(c, "select count(*) from quire.answer where job_id = " + job), state(c, job));
        assertEquals(0, scalar(c, "select count(*) from (select document_id, question_key from quire.answer where job_id = "
                + job + " group by 1, 2 having count(*) <> 1) x"), "no (document, question) has two answers");
        assertEquals(documents, scalar(c, "select count(*) from quire.work_item where job_id = " + job + " and status = 'DONE'"));
        assertEquals(1, scalar(c, "select count(*) from quire.extract_job where id = " + job + " and status = 'COMPLETED'"));
    }

    @Test
    void threeWorkersOneKilledAndALoneKilledRunResumedEndWithExactlyOneAnswerPerQuestion() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 1; i <= 5; i++) {
            Pdfs.report(docs.resolve("report-" + i + ".pdf"), 2, 6000 + i);
        }
        Pdfs.rotated(docs.resolve("rotated.pdf"));
        Path questions = Files.writeString(tmp.resolve("questions.yaml"), """
                name: it
                questions:
                  - question: What is this document about?
                  - question: Who wrote it?
                fields:
                  - name: year
                    type: int
                """);
        try (EmbeddedDatabase db = EmbeddedDatabase.start(tmp.resolve("db"), 0);
             Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
            finish(start(db, "ingest", "ingest", docs.toString()), "ingest");
            long documents = scalar(c, "select count(*) from quire.document where status in ('READY', 'PARTIAL')");
            assertEquals(6, documents);

            // Three workers, one killed mid-document: the others take its document over once the lease expires.
            long job = submit(db, questions, "submit-1");
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                workers.add(start(db, "worker-" + i, "worker", "--job", Long.toString(job), "--poll", "PT1S"));
            }
            killMidDocument(c, workers.getFirst(), job);
            for (int i = 1; i < 3; i++) {
                finish(workers.get(i), "worker-" + i);
            }
            assertExactlyOneAnswerEach(c, job, documents, 3);
            assertTrue(scalar(c, "select count(*) from quire.work_item where job_id = " + job + " and attempts > 1") >= 1,
                    "the killed worker's document was claimed again");
            assertEquals(3, scalar(c, "select count(distinct split_part(worker, '/', 1)) from quire.answer where job_id = " + job),
                    "all three workers answered");

            // One `quire extract` killed midway; a worker started afterwards finishes the job.
            long before = scalar(c, "select coalesce(max(id), 0) from quire.extract_job");
            Process lone = start(db, "extract", "extract", "--questions", questions.toString());
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (scalar(c, "select coalesce(max(id), 0) from quire.extract_job") == before) {
                assertTrue(System.nanoTime() < deadline, "quire extract submitted no job");
                Thread.sleep(100);
            }
            long job2 = scalar(c, "select max(id) from quire.extract_job");
            killMidDocument(c, lone, job2);
            long partial = scalar(c, "select count(*) from quire.answer where job_id = " + job2);
            assertTrue(partial < documents * 3, "killed before the end (" + partial + " answers)");
            finish(start(db, "resume", "worker", "--job", Long.toString(job2), "--poll", "PT1S"), "resume");
            assertExactlyOneAnswerEach(c, job2, documents, 3);

            String export = finish(start(db, "export", "export", "--job", Long.toString(job2), "--format", "jsonl"), "export");
            assertEquals(documents * 3, export.lines().filter(l -> l.startsWith("{\"jobId\":" + job2)).count(), export);
        }
    }
}

package dev.quire.batch.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.db.EmbeddedDatabase;
import dev.quire.batch.testing.QuireProcess;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.S3Server;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out as on Kubernetes, on this machine: one PostgreSQL, one S3-compatible server (s3proxy), a web process and
 * worker processes, each with a QUIRE_HOME of its own (pods share no disk: every blob goes through S3). The same
 * documents are worked off by one worker, then by three, of which one is SIGTERMed (it hands its document back at
 * once) and one SIGKILLed (its lease runs out) midway, both replaced. Every document ends processed exactly once,
 * every page image is served by the web process from S3, and documents/minute for 1 vs 3 workers are printed.
 * {@code bench/scale-out.sh} runs it.
 */
@Tag("slow")
class ScaleOutIT {
    static final String ADMIN_PASSWORD = "scale-out-it-password";

    static final int DOCUMENTS = Integer.getInteger("scale.documents", 6);
    static final int LEASE_SECONDS = 8;

    @TempDir
    Path tmp;
    EmbeddedDatabase db;
    S3Server s3;
    int started;

    ProcessBuilder quire(String name, Map<String, String> props, String... args) throws Exception {
        Map<String, String> p = new java.util.HashMap<>(Map.of("quire.extract.lease-seconds", String.valueOf(LEASE_SECONDS),
                "quire.extract.workers", "1", "quire.extract.drain-timeout", "1s",
                "quire.plan.context-tokens", "2500", "quire.plan.answer-tokens", "12"));
        p.putAll(props);
        Path home = Files.createDirectories(tmp.resolve("home-" + name)); // no shared disk
        ProcessBuilder pb = QuireProcess.commandWithDatabase(home, tmp.resolve(name + ".log"), db.jdbcUrl(), p, args);
        Map<String, String> env = pb.environment();
        env.put("QUIRE_BLOBS_S3_BUCKET", "scale");
        env.put("QUIRE_BLOBS_S3_ENDPOINT", s3.endpoint().toString());
        env.put("QUIRE_BLOBS_S3_PATH_STYLE", "true");
        env.put("QUIRE_BLOBS_S3_CREATE_BUCKET", "true");
        env.put("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3Server.SECRET_KEY);
        return pb;
    }

    Process start(String name, String... args) throws Exception {
        started++;
        return quire(name, Map.of(), args).start();
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

    long submit(Path questions, String name) throws Exception {
        String out = finish(start(name, "extract", "--questions", questions.toString(), "--submit-only"), name);
        Matcher m = Pattern.compile("Submitted extraction job (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    /** Documents per minute of a job, from its first claim to its last finished document (database clock). */
    static double perMinute(Connection c, long job) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*), extract(epoch from "
                + "max(finished_at) - min(started_at)) from quire.work_item where job_id = " + job + " and status = 'DONE'")) {
            rs.next();
            return rs.getLong(1) * 60.0 / rs.getDouble(2);
        }
    }

    /** Waits until the worker holds a document it has started answering (mid-document); returns the work item. */
    long awaitMidDocument(Connection c, Process p, long job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (scalar(c, "select coalesce(max(w.id), 0) from quire.work_item w where w.job_id = " + job + " and w.status = 'CLAIMED' "
                + "and w.owner like '" + p.pid() + "@%' and exists (select 1 from quire.answer a where a.job_id = w.job_id "
                + "and a.document_id = w.document_id)") == 0) {
            assertTrue(p.isAlive(), "worker " + p.pid() + " ended before it was stopped");
            assertTrue(System.nanoTime() < deadline, "worker " + p.pid() + " was never mid-document");
            Thread.sleep(50);
        }
        return scalar(c, "select max(w.id) from quire.work_item w where w.job_id = " + job + " and w.status = 'CLAIMED' "
                + "and w.owner like '" + p.pid() + "@%'");
    }

    @Test
    void threeWorkersOneTerminatedOneKilledProcessEveryDocumentExactlyOnceWithEveryBlobInS3() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 1; i <= DOCUMENTS; i++) {
            Pdfs.report(docs.resolve("scale-" + i + ".pdf"), 1, 7100 + i);
        }
        Path questions = Files.writeString(tmp.resolve("questions.yaml"), """
                name: scale
                questions:
                  - question: What is this document about?
                  - question: Who wrote it?
                """);
        s3 = S3Server.start(Files.createDirectories(tmp.resolve("s3")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process web = null;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(tmp.resolve("db"), 0)) {
            db = database;
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
                finish(start("ingest", "ingest", docs.toString()), "ingest");
                assertEquals(DOCUMENTS, scalar(c, "select count(*) from quire.document where status = 'READY'"));
                assertTrue(Files.notExists(tmp.resolve("home-ingest/blobs")), "ingest wrote no blob to its local disk");
                ProcessBuilder serve = quire("web", Map.of("quarkus.http.port", String.valueOf(port)), "serve");
                serve.environment().put("QUIRE_ADMIN_PASSWORD", ADMIN_PASSWORD); // the admin the page checks sign in as
                web = serve.start();

                // one worker
                long one = submit(questions, "submit-1");
                finish(start("solo", "worker", "--job", Long.toString(one), "--poll", "PT1S"), "solo");
                assertExactlyOnce(c, one);

                // three workers: one SIGTERMed and one SIGKILLed mid-document, both replaced
                long three = submit(questions, "submit-3");
                List<Process> workers = new ArrayList<>();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    names.add("worker-" + i);
                    // worker-0 is the one SIGTERMed: no drain time, so it must hand its document back
                    Map<String, String> props = i == 0 ? Map.of("quire.extract.drain-timeout", "0s", "quarkus.log.level", "INFO")
                            : Map.of();
                    started++;
                    workers.add(quire("worker-" + i, props, "worker", "--job", Long.toString(three), "--poll", "PT1S").start());
                }
                Process term = workers.get(0);
                long held = awaitMidDocument(c, term, three);
                long tStop = System.nanoTime();
                term.destroy(); // SIGTERM
                assertTrue(term.waitFor(30, TimeUnit.SECONDS), "SIGTERMed worker did not exit");
                double stopSeconds = (System.nanoTime() - tStop) / 1e9;
                assertEquals(0, scalar(c, "select count(*) from quire.work_item where job_id = " + three
                        + " and status = 'CLAIMED' and owner like '" + term.pid() + "@%'"),
                        "the SIGTERMed worker handed its document back instead of leaving it to its lease:\n"
                                + Files.readString(tmp.resolve("worker-0.log")));
                assertTrue(Files.readString(tmp.resolve("worker-0.log")).contains("released work item " + held),
                        Files.readString(tmp.resolve("worker-0.log")));
                workers.set(0, start("worker-3", "worker", "--job", Long.toString(three), "--poll", "PT1S"));
                names.set(0, "worker-3");

                Process kill = workers.get(1);
                long killedItem = awaitMidDocument(c, kill, three);
                kill.destroyForcibly(); // SIGKILL
                kill.waitFor();
                workers.set(1, start("worker-4", "worker", "--job", Long.toString(three), "--poll", "PT1S"));
                names.set(1, "worker-4");
                for (int i = 0; i < workers.size(); i++) {
                    finish(workers.get(i), names.get(i));
                }
                assertExactlyOnce(c, three);
                assertTrue(scalar(c, "select count(*) from quire.work_item where job_id = " + three + " and attempts > 1") >= 1,
                        "the SIGKILLed worker's document was taken over after its lease");
                assertEquals(0, scalar(c, "select count(*) from quire.answer where job_id = " + three + " and status = 'FAILED'"));
                assertEquals(killedItem == held ? 2 : 1, scalar(c, "select attempts from quire.work_item where id = " + held),
                        "the handed-back claim did not count as an attempt");

                assertEveryBlobServedFromS3(c, port);
                double rate1 = perMinute(c, one);
                double rate3 = perMinute(c, three);
                System.out.printf(Locale.ROOT, "scale-out: %d documents x 2 questions, demo model, %d cores, load %.1f%n"
                                + "scale-out: 1 worker : %.1f documents/minute%n"
                                + "scale-out: 3 workers: %.1f documents/minute (%.2fx; one SIGTERMed — exited in %.1f s — and one "
                                + "SIGKILLed midway, both replaced)%n",
                        DOCUMENTS, Runtime.getRuntime().availableProcessors(),
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        rate1, rate3, rate3 / rate1, stopSeconds);
            }
        } finally {
            if (web != null) {
                web.destroy();
                web.waitFor(30, TimeUnit.SECONDS);
            }
            s3.close();
        }
    }

    static void assertExactlyOnce(Connection c, long job) throws SQLException {
        assertEquals(DOCUMENTS * 2L, scalar(c, "select count(*) from quire.answer where job_id = " + job));
        assertEquals(0, scalar(c, "select count(*) from (select document_id, question_key from quire.answer where job_id = "
                + job + " group by 1, 2 having count(*) <> 1) x"), "no (document, question) answered twice");
        assertEquals(DOCUMENTS, scalar(c, "select count(*) from quire.work_item where job_id = " + job + " and status = 'DONE'"));
        assertEquals(1, scalar(c, "select count(*) from quire.extract_job where id = " + job + " and status = 'COMPLETED'"));
    }

    /** Every page image and original is in the bucket, and the web process (its own empty home) serves every page. */
    void assertEveryBlobServedFromS3(Connection c, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new java.net.CookieManager()).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            assertTrue(System.nanoTime() < deadline, "web process never became ready:\n" + Files.readString(tmp.resolve("web.log")));
            Thread.sleep(500);
        }
        // the review UI's sign-in guards the API: sign in as the admin that quire.admin.password made
        int signedIn = dev.quire.batch.testing.WebSession.signIn(http, port, "admin", ADMIN_PASSWORD);
        assertTrue(signedIn == 302 || signedIn == 200, "sign-in answered " + signedIn);
        List<long[]> pages = new ArrayList<>();
        List<String> shas = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "select id, image_sha256 from quire.page where status = 'OK' order by id")) {
            while (rs.next()) {
                pages.add(new long[] {rs.getLong(1)});
                shas.add(rs.getString(2));
            }
        }
        assertEquals(DOCUMENTS, pages.size());
        for (int i = 0; i < pages.size(); i++) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/pages/"
                    + pages.get(i)[0] + "/image")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), "page " + pages.get(i)[0]);
            assertEquals(shas.get(i), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body())));
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select original_blob from quire.document")) {
            while (rs.next()) {
                String sha = rs.getString(1);
                Path object = s3.data().resolve("scale/blobs").resolve(sha.substring(0, 2)).resolve(sha.substring(2, 4)).resolve(sha);
                assertTrue(Files.isRegularFile(object), "original " + sha + " is in the bucket");
            }
        }
        assertTrue(Files.notExists(tmp.resolve("home-web/blobs")), "the web process read no local blob");
    }
}

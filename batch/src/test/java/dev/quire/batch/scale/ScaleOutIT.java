package dev.quire.batch.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quire.batch.db.EmbeddedDatabase;
import dev.quire.batch.testing.QuireProcess;
import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.S3Server;
import dev.quire.vlm.demo.DemoCheckpoint;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out as on Kubernetes, on this machine: one PostgreSQL, one S3-compatible server (s3proxy), a web process and
 * worker processes, each with a QUIRE_HOME of its own (pods share no disk: every blob goes through S3; the model is
 * read from one folder, as pods mount it from one volume). Workers run as the worker Deployment runs them,
 * {@code quire worker --follow}, and are reused across jobs: one worker works off a first job alone; two more join
 * and the same documents are worked off again by three, of which the first seen mid-document is SIGTERMed (it hands
 * its document back at once) and the next seen mid-document is SIGKILLed (its lease runs out), both replaced. Every
 * document ends processed exactly once, every page image is served by the web process from S3, and documents/minute
 * for 1 vs 3 workers are printed. {@code bench/scale-out.sh} runs it.
 */
@Tag("slow")
class ScaleOutIT {
    static final String ADMIN_PASSWORD = "scale-out-it-password";

    static final int DOCUMENTS = Integer.getInteger("scale.documents", 6);
    /** Short lease (renewed every second) so the SIGKILLed worker's document is taken over within seconds. */
    static final int LEASE_SECONDS = 5;
    static final String POLL = "PT1S";
    /**
     * JVM options of the processes that are not workers (ingest, submit, web): C1 alone by default, since they start,
     * do little and stop (or idle), and C1 halves the CPU a start costs on two cores (measured: 3.2 s instead of 6.7 s
     * for {@code quire worker --help}). Workers keep the default JIT, so the documents/minute printed are theirs.
     */
    static final List<String> JVM_OPTIONS = List.of(System.getProperty("scale.jvm-options", "-XX:TieredStopAtLevel=1")
            .trim().split("\\s+")).stream().filter(o -> !o.isEmpty()).toList();

    @TempDir
    Path tmp;
    EmbeddedDatabase db;
    S3Server s3;
    Path model;
    final long t0 = System.nanoTime();

    ProcessBuilder quire(String name, Map<String, String> props, String... args) throws Exception {
        Map<String, String> p = new java.util.HashMap<>(Map.of("quire.extract.lease-seconds", String.valueOf(LEASE_SECONDS),
                "quire.extract.workers", "1", "quire.extract.drain-timeout", "1s", "quire.vlm.model", model.toString(),
                "quire.plan.context-tokens", "2500", "quire.plan.answer-tokens", "12"));
        p.putAll(props);
        Path home = Files.createDirectories(tmp.resolve("home-" + name)); // no shared disk
        ProcessBuilder pb = QuireProcess.commandWithDatabase(home, tmp.resolve(name + ".log"), db.jdbcUrl(), p, args);
        if (!args[0].equals("worker")) {
            pb.command().addAll(1, JVM_OPTIONS);
        }
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
        return quire(name, Map.of(), args).start();
    }

    /**
     * A worker as the Deployment runs it. Any of them may be the one SIGTERMed mid-document: no drain time, so it must
     * hand its document back; INFO, so the hand-back is in its log.
     */
    Worker worker(String name) throws Exception {
        return new Worker(name, quire(name, Map.of("quarkus.log.level", "INFO", "quire.extract.drain-timeout", "0s"),
                "worker", "--follow", "--poll", POLL).start());
    }

    record Worker(String name, Process process) {
    }

    String log(String name) throws Exception {
        return Files.readString(tmp.resolve(name + ".log"));
    }

    String finish(Process p, String name) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), name + " did not finish");
        String log = log(name);
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

    void awaitJobCompleted(Connection c, long job, List<Worker> workers) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (scalar(c, "select count(*) from quire.extract_job where id = " + job + " and status = 'COMPLETED'") == 0) {
            for (Worker w : workers) {
                assertTrue(w.process().isAlive(), w.name() + " ended before it was stopped:\n" + log(w.name()));
            }
            assertTrue(System.nanoTime() < deadline, "job " + job + " did not complete");
            Thread.sleep(100);
        }
    }

    /** Waits until the worker has started and is polling for work (its first line is out). */
    void awaitPolling(Worker w) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!log(w.name()).contains("Worker " + w.process().pid() + " on every running job")) {
            assertTrue(w.process().isAlive(), w.name() + " ended before it was stopped:\n" + log(w.name()));
            assertTrue(System.nanoTime() < deadline, w.name() + " never started:\n" + log(w.name()));
            Thread.sleep(100);
        }
    }

    /**
     * Waits until one of the candidates holds a document of the job that it has started answering (mid-document);
     * returns that worker's index in {@code candidates} and the work item.
     */
    long[] awaitMidDocument(Connection c, List<Worker> candidates, long job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select w.id, w.owner from quire.work_item w "
                    + "where w.job_id = " + job + " and w.status = 'CLAIMED' and exists (select 1 from quire.answer a "
                    + "where a.job_id = w.job_id and a.document_id = w.document_id) order by w.id")) {
                while (rs.next()) {
                    for (int i = 0; i < candidates.size(); i++) {
                        if (rs.getString(2).startsWith(candidates.get(i).process().pid() + "@")) {
                            return new long[] {i, rs.getLong(1)};
                        }
                    }
                }
            }
            for (Worker w : candidates) {
                assertTrue(w.process().isAlive(), w.name() + " ended before it was stopped:\n" + log(w.name()));
            }
            assertTrue(scalar(c, "select count(*) from quire.work_item where job_id = " + job + " and status <> 'DONE'") > 0,
                    "every document was done before a worker was seen mid-document: use more documents (-Dscale.documents)");
            assertTrue(System.nanoTime() < deadline, "no worker was ever mid-document");
            Thread.sleep(20);
        }
    }

    void phase(List<String> phases, String what) {
        phases.add(String.format(Locale.ROOT, "%s %.0f s", what, (System.nanoTime() - t0) / 1e9));
    }

    @Test
    void threeWorkersOneTerminatedOneKilledProcessEveryDocumentExactlyOnceWithEveryBlobInS3() throws Exception {
        List<String> phases = new ArrayList<>();
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
        CompletableFuture<S3Server> s3Started = CompletableFuture.supplyAsync(() -> {
            try {
                return S3Server.start(Files.createDirectories(tmp.resolve("s3")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // the model volume every pod mounts read-only (made once here instead of in each worker's home)
        model = DemoCheckpoint.ensure(Files.createDirectories(tmp.resolve("models")));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Worker> all = new ArrayList<>();
        Process web = null;
        try (EmbeddedDatabase database = EmbeddedDatabase.start(tmp.resolve("db"), 0)) {
            db = database;
            s3 = s3Started.join();
            phase(phases, "database and S3 up");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
                // the web process starts beside the ingest (both migrate the schema: Flyway's lock orders them)
                ProcessBuilder serve = quire("web", Map.of("quarkus.http.port", String.valueOf(port)), "serve");
                serve.environment().put("QUIRE_ADMIN_PASSWORD", ADMIN_PASSWORD); // the admin the page checks sign in as
                web = serve.start();
                finish(start("ingest", "ingest", docs.toString()), "ingest");
                assertEquals(DOCUMENTS, scalar(c, "select count(*) from quire.document where status = 'READY'"));
                assertTrue(Files.notExists(tmp.resolve("home-ingest/blobs")), "ingest wrote no blob to its local disk");
                awaitReady(port); // started beside the ingest: up before the workers are measured
                phase(phases, "ingested, web ready");

                // one worker (started while the job is submitted: it polls until there is work)
                Worker solo = worker("worker-0");
                all.add(solo);
                long one = submit(questions, "submit-1");
                awaitJobCompleted(c, one, List.of(solo));
                assertExactlyOnce(c, one);
                phase(phases, "1 worker done");

                // three workers: two more join the first; the first seen mid-document is SIGTERMed, the next SIGKILLed
                List<Worker> live = new ArrayList<>(List.of(solo, worker("worker-1"), worker("worker-2")));
                all.addAll(live.subList(1, 3));
                for (Worker w : live) {
                    awaitPolling(w);
                }
                phase(phases, "3 polling");
                long three = submit(questions, "submit-3");
                phase(phases, "job 3 submitted");
                long[] termed = awaitMidDocument(c, live, three);
                Worker term = live.remove((int) termed[0]);
                long held = termed[1];
                long tStop = System.nanoTime();
                term.process().destroy(); // SIGTERM
                assertTrue(term.process().waitFor(30, TimeUnit.SECONDS), "SIGTERMed worker did not exit");
                double stopSeconds = (System.nanoTime() - tStop) / 1e9;
                assertEquals(0, scalar(c, "select count(*) from quire.work_item where job_id = " + three
                        + " and status = 'CLAIMED' and owner like '" + term.process().pid() + "@%'"),
                        "the SIGTERMed worker handed its document back instead of leaving it to its lease:\n" + log(term.name()));
                assertTrue(log(term.name()).contains("released work item " + held), log(term.name()));
                phase(phases, "SIGTERMed");
                Worker replacement = worker("worker-3");
                all.add(replacement);

                long[] killed = awaitMidDocument(c, live, three);
                Worker kill = live.remove((int) killed[0]);
                kill.process().destroyForcibly(); // SIGKILL
                kill.process().waitFor();
                phase(phases, "SIGKILLed");
                Worker replacement2 = worker("worker-4");
                all.add(replacement2);
                live.add(replacement);
                live.add(replacement2);
                awaitJobCompleted(c, three, live);
                phase(phases, "3 workers done");
                for (Worker w : List.of(replacement, replacement2)) {
                    awaitPolling(w); // the replacements came up and joined (whether work was left for them or not)
                }
                phase(phases, "replacements polling");
                for (Worker w : live) {
                    w.process().destroy(); // scaled down: idle workers stop on SIGTERM
                    assertTrue(w.process().waitFor(30, TimeUnit.SECONDS), w.name() + " did not stop on SIGTERM");
                }
                phase(phases, "scaled down");
                assertExactlyOnce(c, three);
                assertTrue(scalar(c, "select count(*) from quire.work_item where job_id = " + three + " and attempts > 1") >= 1,
                        "the SIGKILLed worker's document was taken over after its lease");
                assertEquals(0, scalar(c, "select count(*) from quire.answer where job_id = " + three + " and status = 'FAILED'"));
                assertEquals(killed[1] == held ? 2 : 1, scalar(c, "select attempts from quire.work_item where id = " + held),
                        "the handed-back claim did not count as an attempt");

                assertEveryBlobServedFromS3(c, port);
                phase(phases, "blobs checked");
                double rate1 = perMinute(c, one);
                double rate3 = perMinute(c, three);
                System.out.printf(Locale.ROOT, "scale-out: %d documents x 2 questions, demo model, %d cores, load %.1f%n"
                                + "scale-out: 1 worker : %.1f documents/minute%n"
                                + "scale-out: 3 workers: %.1f documents/minute (%.2fx; one SIGTERMed — exited in %.1f s — and one "
                                + "SIGKILLed midway, both replaced)%n"
                                + "scale-out: wall clock: %s (%d JVMs)%n",
                        DOCUMENTS, Runtime.getRuntime().availableProcessors(),
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        rate1, rate3, rate3 / rate1, stopSeconds, String.join(", ", phases), all.size() + 4);
            }
        } finally {
            for (Worker w : all) {
                w.process().destroyForcibly();
            }
            if (web != null) {
                web.destroy();
                web.waitFor(30, TimeUnit.SECONDS);
            }
            if (s3 != null) {
                s3.close();
            }
        }
    }

    static void assertExactlyOnce(Connection c, long job) throws SQLException {
        assertEquals(DOCUMENTS * 2L, scalar(c, "select count(*) from quire.answer where job_id = " + job));
        assertEquals(0, scalar(c, "select count(*) from (select document_id, question_key from quire.answer where job_id = "
                + job + " group by 1, 2 having count(*) <> 1) x"), "no (document, question) answered twice");
        assertEquals(DOCUMENTS, scalar(c, "select count(*) from quire.work_item where job_id = " + job + " and status = 'DONE'"));
        assertEquals(1, scalar(c, "select count(*) from quire.extract_job where id = " + job + " and status = 'COMPLETED'"));
    }

    void awaitReady(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            assertTrue(System.nanoTime() < deadline, "web process never became ready:\n" + log("web"));
            Thread.sleep(250);
        }
    }

    /** Every page image and original is in the bucket, and the web process (its own empty home) serves every page. */
    void assertEveryBlobServedFromS3(Connection c, int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .cookieHandler(new java.net.CookieManager()).build();
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

package dev.quire.batch.db;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.testing.QuireProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several quire processes on one embedded PostgreSQL: the server outlives the process that started it while others
 * use it, and the last one to leave stops it. And only `serve` (or quire.http.listen=true) serves HTTP.
 */
@Tag("slow")
class EmbeddedDatabaseIT {
    @TempDir
    Path tmp;

    static final String ADMIN_PASSWORD = "embedded-db-it-password";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .cookieHandler(new java.net.CookieManager()).build();

    /** Signs in as the admin that quire.admin.password made (the session cookie goes to the client's cookie store). */
    int signIn(int port) {
        try {
            return dev.quire.batch.testing.WebSession.signIn(http, port, "admin", ADMIN_PASSWORD);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The HTTP status of GET url, or -1 when nothing answers. */
    int get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    Process start(Path home, String name, int port, boolean listen, String... args) throws IOException {
        ProcessBuilder pb = QuireProcess.command(home, tmp.resolve(name + ".log"),
                Map.of("quarkus.log.level", "WARN", "quarkus.http.port", Integer.toString(port)), args);
        if (listen) {
            pb.environment().put("QUIRE_HTTP_LISTEN", "true");
        }
        pb.environment().put("QUIRE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        return pb.start();
    }

    void waitFor(String what, Process p, java.util.function.BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!done.getAsBoolean()) {
            assertTrue(p.isAlive(), what + ": the process ended");
            assertTrue(System.nanoTime() < deadline, what + ": not within 3 minutes");
            Thread.sleep(200);
        }
    }

    static long postmasterPid(Path home) throws IOException {
        List<String> lines = Files.readAllLines(home.resolve("db/postmaster.pid"));
        return Long.parseLong(lines.getFirst().trim());
    }

    @Test
    void theServerStaysUpWhileAnyProcessUsesItAndOnlyServeListens() throws Exception {
        Path home = tmp.resolve("home");
        int portA = freePort();
        int portB = freePort();
        int portC = freePort();
        Process a = start(home, "a", portA, false, "worker", "--follow", "--poll", "PT1S");
        Process b = null;
        Process c = null;
        try {
            waitFor("worker A starts", a, () -> {
                try {
                    return Files.readString(tmp.resolve("a.log")).contains("Worker " + a.pid());
                } catch (IOException e) {
                    return false;
                }
            });
            long pg = postmasterPid(home);
            assertEquals(-1, get(portA, "/q/openapi"), "a worker does not serve HTTP");

            b = start(home, "b", portB, false, "serve");
            Process serve = b;
            waitFor("serve B answers", b, () -> signIn(portB) == 302 && get(portB, "/api/documents") == 200);
            assertEquals(pg, postmasterPid(home), "B joined A's server");

            a.destroy(); // SIGTERM: A, which started the server, leaves
            assertTrue(a.waitFor(2, TimeUnit.MINUTES));
            assertTrue(ProcessHandle.of(pg).map(ProcessHandle::isAlive).orElse(false), "the server outlives its starter");
            assertEquals(200, get(portB, "/api/documents"), "B keeps working:\n" + Files.readString(tmp.resolve("b.log")));
            assertEquals(200, get(portB, "/api/jobs"));

            c = start(home, "c", portC, true, "worker", "--follow", "--poll", "PT1S");
            waitFor("worker C with quire.http.listen=true answers", c, () -> get(portC, "/q/openapi") > 0);
            c.destroy();
            assertTrue(c.waitFor(2, TimeUnit.MINUTES));
            assertEquals(200, get(portB, "/api/documents"), "B still works after C left");

            b.destroy(); // the last user leaves: the server stops
            assertTrue(b.waitFor(2, TimeUnit.MINUTES));
            ProcessHandle.of(pg).ifPresent(h -> h.onExit().orTimeout(60, TimeUnit.SECONDS).join());
            assertFalse(ProcessHandle.of(pg).map(ProcessHandle::isAlive).orElse(false), "the last process stopped the server");
        } finally {
            for (Process p : new Process[] {a, b, c}) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
            QuireProcess.stopServer(home);
        }
    }
}

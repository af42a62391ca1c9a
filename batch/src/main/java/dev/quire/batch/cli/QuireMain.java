package dev.quire.batch.cli;

import dev.quire.batch.db.EmbeddedDatabase;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Entry point of the {@code quire} command. Before Quarkus starts it decides the database: an external
 * PostgreSQL when {@code quire.db.url} / {@code QUIRE_DB_URL} / {@code QUARKUS_DATASOURCE_JDBC_URL} is set,
 * otherwise the embedded server over {@code $QUIRE_HOME/db}.
 */
@QuarkusMain
public class QuireMain implements QuarkusApplication {
    @Inject
    CommandLine.IFactory factory;

    @Override
    public int run(String... args) {
        return new CommandLine(QuireCommand.class, factory).execute(args);
    }

    public static void main(String... args) throws Exception {
        // "~" is the user's $HOME, as in the shell: Java's user.home comes from the password file and ignores HOME.
        // Libraries that keep caches under user.home (JavaCPP's natives, PDFBox's font list) follow it too.
        String userHome = userHome(System.getenv("HOME"));
        System.setProperty("user.home", userHome);
        Path home = home(userHome);
        System.setProperty("quire.home", home.toString());
        String external = firstSet(System.getProperty("quire.db.url"), System.getenv("QUIRE_DB_URL"));
        boolean quarkusUrl = firstSet(System.getProperty("quarkus.datasource.jdbc.url"),
                System.getenv("QUARKUS_DATASOURCE_JDBC_URL")) != null;
        if (external != null) {
            System.setProperty("quarkus.datasource.jdbc.url", external);
        } else if (!quarkusUrl) {
            int port = Integer.parseInt(firstSet(System.getProperty("quire.db.port"), System.getenv("QUIRE_DB_PORT"), "0"));
            EmbeddedDatabase embedded = EmbeddedDatabase.start(home.resolve("db"), port);
            System.setProperty("quarkus.datasource.jdbc.url", embedded.jdbcUrl());
            System.setProperty("quarkus.datasource.username", "postgres");
            System.setProperty("quarkus.datasource.password", "postgres");
        }
        sessionKey(home);
        if (!listens(args, firstSet(System.getProperty("quire.http.listen"), System.getenv("QUIRE_HTTP_LISTEN")))) {
            // Only `serve` (or a command with quire.http.listen=true, e.g. a worker pod answering probes) listens.
            System.setProperty("quarkus.http.host-enabled", "false");
        }
        // Quarkus exits the JVM when the command returns; the embedded server stays up while other quire processes
        // use it, and the last one to leave stops it (EmbeddedDatabase).
        Quarkus.run(QuireMain.class, args);
    }

    /**
     * The key that encrypts sign-in cookies: {@code quarkus.http.auth.session.encryption-key} when configured (several
     * web pods share one), else one made at random once and kept in {@code $QUIRE_HOME/session.key} (owner-only),
     * so a restart of {@code quire serve} does not sign everyone out.
     */
    static void sessionKey(Path home) throws java.io.IOException {
        if (firstSet(System.getProperty("quarkus.http.auth.session.encryption-key"),
                System.getenv("QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY")) != null) {
            return;
        }
        Path file = home.resolve("session.key");
        if (!java.nio.file.Files.exists(file)) {
            java.nio.file.Files.createDirectories(home);
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            Path tmp = java.nio.file.Files.createTempFile(home, "session", ".tmp",
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(tmp, java.util.Base64.getEncoder().encodeToString(key));
            try {
                java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                java.nio.file.Files.deleteIfExists(tmp);
            }
        }
        System.setProperty("quarkus.http.auth.session.encryption-key", java.nio.file.Files.readString(file).strip());
    }

    /** Whether this command serves HTTP: {@code serve} always, others only with {@code quire.http.listen=true}. */
    static boolean listens(String[] args, String listenSetting) {
        boolean serving = args.length > 0 && args[0].equals("serve");
        return serving || "true".equalsIgnoreCase(listenSetting == null ? "" : listenSetting.strip());
    }

    /** The user's home: {@code $HOME} when set, else Java's {@code user.home}. */
    static String userHome(String homeVariable) {
        return firstSet(homeVariable, System.getProperty("user.home"));
    }

    /**
     * Quire's home, the one place its default is decided: {@code -Dquire.home}, else {@code QUIRE_HOME}, else
     * {@code .quire} in the user's home.
     */
    static Path home(String userHome) {
        String h = firstSet(System.getProperty("quire.home"), System.getenv("QUIRE_HOME"));
        return (h != null ? Path.of(h) : Path.of(userHome, ".quire")).toAbsolutePath().normalize();
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}

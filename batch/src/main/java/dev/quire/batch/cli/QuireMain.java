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
        boolean serving = args.length > 0 && args[0].equals("serve");
        if (!serving && System.getProperty("quarkus.http.port") == null) {
            // Only `serve` listens on the configured port; other commands must not collide with a running server.
            System.setProperty("quarkus.http.port", "0");
            System.setProperty("quarkus.http.host", "127.0.0.1");
        }
        // Quarkus exits the JVM when the command returns; the embedded server (if this process started it)
        // is stopped by its shutdown hook.
        Quarkus.run(QuireMain.class, args);
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

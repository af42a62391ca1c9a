package dev.quire.batch.testing;

import dev.quire.batch.db.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for the test suite: the same embedded server the application uses by default,
 * over a fresh data directory, with a fresh QUIRE_HOME for blobs. Shared by every @QuarkusTest
 * (Quarkus starts once), so tests must not assume empty tables.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {
    private Path home;
    private EmbeddedDatabase db;

    @Override
    public Map<String, String> start() {
        try {
            home = Files.createTempDirectory("quire-test-home");
            db = EmbeddedDatabase.start(home.resolve("db"), 0);
            return Map.of(
                    "quarkus.datasource.jdbc.url", db.jdbcUrl(),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "quire.home", home.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        try {
            if (db != null) {
                db.close();
            }
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

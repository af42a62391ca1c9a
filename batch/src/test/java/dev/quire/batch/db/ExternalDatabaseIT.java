package dev.quire.batch.db;

import dev.quire.fixtures.Pdfs;
import dev.quire.fixtures.Samples;
import dev.quire.batch.testing.QuireProcess;
import static org.junit.jupiter.api.Assertions.*;

import dev.quire.batch.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** QUIRE_DB_URL sends everything to an external PostgreSQL; no embedded server is started. */
@Tag("slow")
class ExternalDatabaseIT {
    @TempDir
    Path tmp;

    @Test
    void quireDbUrlUsesTheExternalServerAndStartsNoEmbeddedOne() throws Exception {
        Path docs = tmp.resolve("docs");
        Files.createDirectories(docs);
        Pdfs.report(docs.resolve("kampo.pdf"), 2, 5001);
        Files.copy(Samples.file("ocrmypdf-invalid.pdf"), docs.resolve("ocrmypdf-invalid.pdf"));
        Path home = tmp.resolve("home");
        try (EmbeddedDatabase server = EmbeddedDatabase.start(tmp.resolve("external-db"), 0)) {
            Process p = QuireProcess.commandWithDatabase(home, tmp.resolve("ingest.log"), server.jdbcUrl(),
                    "ingest", docs.toString()).start();
            assertTrue(p.waitFor(3, TimeUnit.MINUTES));
            assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("ingest.log")));
            assertFalse(Files.exists(home.resolve("db")), "no embedded database under QUIRE_HOME");
            assertTrue(Files.isDirectory(home.resolve("blobs")), "blobs still go to QUIRE_HOME");
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "postgres");
                 Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select status, count(*) from quire.source_file group by status order by status")) {
                assertTrue(rs.next());
                assertEquals("READY", rs.getString(1));
                assertEquals(1, rs.getInt(2));
                assertTrue(rs.next());
                assertEquals("REJECTED", rs.getString(1));
                assertEquals(1, rs.getInt(2));
            }
        }
    }
}

package dev.quire.batch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs the packaged quire application as a separate process (what a user runs), for end-to-end tests. */
public final class QuireProcess {
    private QuireProcess() {
    }

    public static Path appJar() {
        Path jar = Path.of(System.getProperty("it.app.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the integration tests with `./mvnw verify`");
        }
        return jar;
    }

    public static ProcessBuilder command(Path home, Path log, Map<String, String> sysProps, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Djava.awt.headless=true");
        sysProps.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(appJar().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("QUIRE_HOME", home.toString());
        pb.environment().remove("QUIRE_DB_URL");
        pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
        return pb;
    }

    /** The same command against an external PostgreSQL at {@code jdbcUrl} (QUIRE_DB_URL). */
    public static ProcessBuilder commandWithDatabase(Path home, Path log, String jdbcUrl, String... args) {
        ProcessBuilder pb = command(home, log, Map.of("quarkus.log.level", "WARN"), args);
        pb.environment().put("QUIRE_DB_URL", jdbcUrl);
        return pb;
    }

    /** The same command against an external PostgreSQL, with extra system properties. */
    public static ProcessBuilder commandWithDatabase(Path home, Path log, String jdbcUrl, Map<String, String> sysProps,
                                              String... args) {
        Map<String, String> props = new java.util.HashMap<>(sysProps);
        props.putIfAbsent("quarkus.log.level", "WARN");
        ProcessBuilder pb = command(home, log, props, args);
        pb.environment().put("QUIRE_DB_URL", jdbcUrl);
        return pb;
    }

    /** Connects to the embedded server running over {@code home/db} (port from its postmaster.pid). */
    public static Connection connect(Path home) throws IOException, SQLException {
        List<String> pid = Files.readAllLines(home.resolve("db/postmaster.pid"));
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres",
                "postgres", "postgres");
    }

    /** Stops an embedded server left running (smart shutdown by SIGTERM), waiting for it to exit. */
    public static void stopServer(Path home) throws IOException {
        Path pidFile = home.resolve("db/postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        ProcessHandle.of(pid).ifPresent(p -> {
            p.destroy();
            p.onExit().join();
        });
    }
}

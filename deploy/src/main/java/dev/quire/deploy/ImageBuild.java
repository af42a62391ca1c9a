package dev.quire.deploy;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The container image of Quire, built with Jib core to a tarball (no Docker daemon, no registry): a base image
 * tarball (Debian + a Java 25 runtime, made by deploy/build-image.sh) plus the Quarkus fast-jar application in layers
 * that change from least to most often (boot libraries, libraries, Quarkus' generated classes, the application).
 * One image for both roles: {@code serve} and {@code worker} are its arguments. Runs as uid 10001; the root
 * filesystem can be read-only: the writable places are the volumes {@code /tmp} and {@code /var/lib/quire}.
 */
public final class ImageBuild {
    public static final String USER = "10001:10001";
    public static final AbsoluteUnixPath APP = AbsoluteUnixPath.get("/app");

    /** What goes into one image. */
    public record Spec(Path base, Path quarkusApp, String name, Path out) {
    }

    private ImageBuild() {
    }

    public static JibContainer build(Spec spec) throws Exception {
        if (!Files.isRegularFile(spec.quarkusApp().resolve("quarkus-run.jar"))) {
            throw new IllegalArgumentException(spec.quarkusApp() + " has no quarkus-run.jar: package the application first "
                    + "(./mvnw -pl batch -am package -DskipTests)");
        }
        if (!Files.isRegularFile(spec.base())) {
            throw new IllegalArgumentException("base image tarball " + spec.base() + " does not exist (deploy/build-image.sh makes it)");
        }
        var builder = Jib.from(TarImage.at(spec.base()))
                .setFileEntriesLayers(
                        layer("boot libraries", spec.quarkusApp(), "lib/boot"),
                        layer("libraries", spec.quarkusApp(), "lib/main"),
                        layer("quarkus", spec.quarkusApp(), "quarkus"),
                        layer("application", spec.quarkusApp(), "app", "quarkus-run.jar"))
                .setEntrypoint("/opt/java/bin/java", "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true",
                        "-jar", APP + "/quarkus-run.jar")
                .setProgramArguments("serve")
                .setEnvironment(Map.of("JAVA_HOME", "/opt/java", "QUIRE_HOME", "/var/lib/quire", "HOME", "/var/lib/quire",
                        "PATH", "/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"))
                .setUser(USER)
                .setWorkingDirectory(APP)
                .addExposedPort(Port.tcp(8080))
                .setVolumes(AbsoluteUnixPath.get("/tmp"), AbsoluteUnixPath.get("/var/lib/quire"))
                .addLabel("org.opencontainers.image.title", "quire")
                .setCreationTime(Instant.EPOCH);
        Files.createDirectories(spec.out().toAbsolutePath().getParent());
        return builder.containerize(Containerizer.to(TarImage.at(spec.out()).named(spec.name()))
                .setApplicationLayersCache(spec.out().toAbsolutePath().getParent().resolve("jib-cache")));
    }

    /** The files under {@code root/sub} (for each sub), at the same relative place under /app, world-readable. */
    static FileEntriesLayer layer(String name, Path root, String... subs) throws IOException {
        FileEntriesLayer.Builder b = FileEntriesLayer.builder().setName(name);
        for (String sub : subs) {
            Path start = root.resolve(sub);
            if (!Files.exists(start)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(start)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    b.addEntry(f, APP.resolve(root.relativize(f).toString().replace('\\', '/')), FilePermissions.fromOctalString("644"));
                }
            }
        }
        return b.build();
    }

    /** {@code ImageBuild BASE_TAR QUARKUS_APP_DIR IMAGE_NAME OUT_TAR} */
    public static void main(String... args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ImageBuild BASE_TAR QUARKUS_APP_DIR IMAGE_NAME OUT_TAR");
            System.exit(2);
        }
        Spec spec = new Spec(Path.of(args[0]), Path.of(args[1]), args[2], Path.of(args[3]));
        JibContainer c = build(spec);
        System.out.println("image " + c.getTargetImage() + " (" + c.getDigest() + ") -> " + spec.out()
                + " (" + Files.size(spec.out()) / (1024 * 1024) + " MiB); load it with `docker load -i`, `kind load image-archive`, …");
    }
}

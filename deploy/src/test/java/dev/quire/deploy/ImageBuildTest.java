package dev.quire.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds an image tarball from a small base tarball and a Quarkus-layout folder, then reads the tarball back. */
class ImageBuildTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        return out;
    }

    /** A base image in `docker save` format, as deploy/build-image.sh writes it: one layer with /etc/passwd. */
    Path base() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("rootfs/etc"));
        Files.writeString(root.resolve("passwd"), "root:x:0:0::/root:/bin/sh\nquire:x:10001:10001::/var/lib/quire:/usr/sbin/nologin\n");
        Path img = Files.createDirectories(tmp.resolve("base"));
        run(tmp.resolve("rootfs"), "tar", "-cf", img.resolve("layer.tar").toString(), ".");
        String diff = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(img.resolve("layer.tar"))));
        Files.writeString(img.resolve("config.json"), "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"LANG=C.UTF-8\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + diff + "\"]}}");
        Files.writeString(img.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"quire-base:test\"],\"Layers\":[\"layer.tar\"]}]");
        run(img, "tar", "-cf", tmp.resolve("base.tar").toString(), "manifest.json", "config.json", "layer.tar");
        return tmp.resolve("base.tar");
    }

    Path app() throws Exception {
        Path app = tmp.resolve("quarkus-app");
        for (String f : List.of("quarkus-run.jar", "lib/boot/boot.jar", "lib/main/lib.jar", "quarkus/generated-bytecode.jar",
                "quarkus/quarkus-application.dat", "app/quire-batch.jar")) {
            Files.createDirectories(app.resolve(f).getParent());
            Files.writeString(app.resolve(f), "content of " + f);
        }
        return app;
    }

    @Test
    void theImageHasTheAppInLayersRunsAsNonRootAndIsNamedAsTheManifestsSay() throws Exception {
        Path out = tmp.resolve("out/quire.tar");
        ImageBuild.build(new ImageBuild.Spec(base(), app(), "quire:0.1.0", out));
        Path x = Files.createDirectories(tmp.resolve("x"));
        run(x, "tar", "-xf", out.toString());
        JsonNode manifest = JSON.readTree(x.resolve("manifest.json").toFile()).get(0);
        assertEquals("quire:0.1.0", manifest.get("RepoTags").get(0).asText());
        JsonNode config = JSON.readTree(x.resolve(manifest.get("Config").asText()).toFile());
        assertEquals(ImageBuild.USER, config.at("/config/User").asText(), "non-root");
        assertTrue(config.at("/config/Entrypoint").toString().contains("/app/quarkus-run.jar"));
        assertEquals("[\"serve\"]", config.at("/config/Cmd").toString());
        assertTrue(config.at("/config/Volumes").has("/tmp") && config.at("/config/Volumes").has("/var/lib/quire"));
        assertEquals(5, manifest.get("Layers").size(), "the base layer + boot libraries, libraries, quarkus, application");
        List<String> files = new ArrayList<>();
        for (JsonNode layer : manifest.get("Layers")) {
            Path l = x.resolve(layer.asText());
            String listing = run(x, "tar", "-tzf", l.toString());
            files.addAll(listing.lines().toList());
        }
        assertTrue(files.contains("app/quarkus-run.jar") || files.contains("/app/quarkus-run.jar") || files.contains("./app/quarkus-run.jar"), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("app/lib/main/lib.jar")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.endsWith("etc/passwd")), "the base layer is kept");
    }

    @Test
    void aMissingApplicationIsNamed() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ImageBuild.build(new ImageBuild.Spec(base(), tmp.resolve("nothing"), "quire:0.1.0", tmp.resolve("o.tar"))));
        assertTrue(e.getMessage().contains("quarkus-run.jar"));
    }
}

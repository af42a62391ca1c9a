package dev.quire.batch.cli;

import dev.quire.batch.testing.QuireProcess;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged application's `quire vlm` commands with the built-in demo model (libtorch loads inside Quarkus). */
@Tag("slow")
class VlmCommandIT {
    @TempDir
    Path tmp;

    /** Runs quire with HOME={@code user} and no QUIRE_HOME: everything must land under that HOME ("~" is $HOME). */
    String run(Path user, String... args) throws Exception {
        Path log = tmp.resolve("out-" + System.nanoTime() + ".log");
        ProcessBuilder pb = QuireProcess.command(user.resolve(".quire"), log, Map.of("quarkus.log.level", "WARN",
                // libtorch's natives are already extracted in the real user's cache: do not extract 300 MB again
                "org.bytedeco.javacpp.cachedir", Path.of(System.getProperty("user.home"), ".javacpp", "cache").toString()), args);
        pb.environment().remove("QUIRE_HOME");
        pb.environment().put("HOME", user.toString());
        Process p = pb.start();
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "quire " + String.join(" ", args) + " did not finish");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void demoModelIsMadeOnceInspectedAndAnswersWithTimingsAndLogits() throws Exception {
        Path user = tmp.resolve("user");
        Path home = user.resolve(".quire");
        try {
            String inspect = run(user, "vlm", "inspect", "--model", "demo");
            assertTrue(inspect.contains("[DEMO MODEL: random weights, answers are not meaningful]"), inspect);
            assertTrue(inspect.contains("8 routed (top-2, sigmoid"), inspect);
            assertTrue(inspect.contains("checkpoint  " + home.resolve("models/demo")), "~ is $HOME, not the password file's home:\n" + inspect);
            assertTrue(Files.isRegularFile(home.resolve("models/demo/model.safetensors")));
            assertTrue(Files.isDirectory(home.resolve("db")) && Files.isRegularFile(home.resolve("logs/quire.log")),
                    "the database and the log are under $HOME/.quire");

            BufferedImage page = new BufferedImage(300, 400, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = page.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 300, 400);
            g.setColor(Color.BLACK);
            g.drawString("Total: 1,234.56", 40, 60);
            g.dispose();
            Path png = tmp.resolve("page.png");
            ImageIO.write(page, "png", png.toFile());
            Path logits = tmp.resolve("logits.json");
            String out = run(user, "vlm", "generate", "--model", "demo", "--image", png.toString(), "--prompt",
                    "What is the total?", "--max-new-tokens", "8", "--device", "cpu", "--logits-out", logits.toString());
            assertTrue(out.contains("[DEMO MODEL: answers are not meaningful] on cpu"), out);
            assertTrue(out.matches("(?s).*\\d+ prompt tokens, \\d+ generated \\((stop|length)\\); vision \\d+ ms.*"), out);
            JsonNode values = new ObjectMapper().readTree(logits.toFile());
            assertEquals(558, values.size(), "one logit per vocabulary entry of the demo tokenizer");
        } finally {
            QuireProcess.stopServer(home);
        }
    }
}

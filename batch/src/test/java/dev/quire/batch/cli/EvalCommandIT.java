package dev.quire.batch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quire.batch.eval.synth.SyntheticBenchmark;
import dev.quire.batch.testing.QuireProcess;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged application's {@code quire eval} model runs with the built-in demo model, as a user runs them: the
 * model answers (no predictions file), the last line is the summary, and the per-question rows are in the database
 * (read back by a second process, {@code quire eval report}).
 */
@Tag("slow")
class EvalCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RUN = Pattern.compile("evaluation run (\\d+): ");

    @TempDir
    Path tmp;

    String run(Path home, int expectedExit, String... args) throws Exception {
        Path log = tmp.resolve("out-" + System.nanoTime() + ".log");
        ProcessBuilder pb = QuireProcess.command(home, log, Map.of("quarkus.log.level", "WARN",
                "quire.plan.answer-tokens", "12", "quire.plan.context-tokens", "3000", "quire.render.workers", "1",
                "org.bytedeco.javacpp.cachedir", Path.of(System.getProperty("user.home"), ".javacpp", "cache").toString()),
                args);
        Process p = pb.start();
        assertTrue(p.waitFor(8, TimeUnit.MINUTES), "quire " + String.join(" ", args) + " did not finish");
        String out = Files.readString(log);
        assertEquals(expectedExit, p.exitValue(), out);
        return out;
    }

    static String lastLine(String out) {
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        return lines.getLast();
    }

    static long runId(String out) {
        Matcher m = RUN.matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    private static void page(Path file, String... lines) throws Exception {
        BufferedImage img = new BufferedImage(560, 420, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 22));
        for (int i = 0; i < lines.length; i++) {
            g.drawString(lines[i], 30, 60 + 40 * i);
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void docvqaModelRunAnswersWithTheDemoModelAndStoresEveryQuestion() throws Exception {
        Path home = tmp.resolve("home");
        Path images = Files.createDirectories(tmp.resolve("images"));
        page(images.resolve("invoice.png"), "Invoice 2291", "Total: 1,234.56", "City: Lisbon");
        page(images.resolve("memo.png"), "Memo", "Meeting on 12 May 1998");
        SyntheticBenchmark.write(tmp.resolve("synth"), 1, 3, 9);
        Files.copy(tmp.resolve("synth/documents/synthetic-report-01.pdf"), images.resolve("report.pdf"));
        Path questions = tmp.resolve("questions.json");
        Files.writeString(questions, """
                {"data": [
                  {"questionId": 11, "question": "What is the total?", "image": "documents/invoice.png", "answers": ["1,234.56"]},
                  {"questionId": 12, "question": "Which city?", "image": "documents/invoice.png", "answers": ["Lisbon"]},
                  {"questionId": 13, "question": "When is the meeting?", "image": "documents/memo.png", "answers": ["12 May 1998"]},
                  {"questionId": 14, "question": "What is the title?", "image": "report.pdf#1", "answers": ["Operations report"]},
                  {"questionId": 15, "question": "Who signed?", "image": "documents/absent.png", "answers": ["nobody"]}
                ]}""");
        try {
            String out = run(home, 0, "eval", "docvqa", "--questions", questions.toString(), "--images", images.toString(),
                    "--bootstrap", "200", "--report-dir", tmp.resolve("reports").toString());
            assertTrue(out.contains("DEMO MODEL"), out);
            assertTrue(lastLine(out).matches("anls \\d\\.\\d{4} \\(4 questions\\)"), "last line: " + lastLine(out));
            long run = runId(out);

            // the rows are in the database: another process reads them back into the report
            String again = run(home, 0, "eval", "report", String.valueOf(run), "--report-dir", tmp.resolve("again").toString());
            assertEquals(lastLine(out), lastLine(again), "the stored rows give the same figures");
            JsonNode report = JSON.readTree(tmp.resolve("again").resolve(reportJson(tmp.resolve("again"))).toFile());
            Map<String, JsonNode> items = new HashMap<>();
            report.get("items").forEach(i -> items.put(i.get("key").asText(), i));
            assertEquals(List.of("11", "12", "13", "14", "15"), items.keySet().stream().sorted().toList());
            for (String k : List.of("11", "12", "13", "14")) {
                JsonNode i = items.get(k);
                assertEquals("SCORED", i.get("status").asText(), i.toString());
                assertTrue(i.has("pred"), "the model's prediction is kept: " + i);
                double score = i.get("score").asDouble();
                assertTrue(score >= 0 && score <= 1, i.toString());
            }
            assertEquals("MISSING_DOC", items.get("15").get("status").asText());
            assertEquals("[\"Lisbon\"]", items.get("12").get("gold").asText(), "the gold answers are kept");
            assertTrue(report.at("/model/demo").asBoolean(), "the demo model answered");
        } finally {
            QuireProcess.stopServer(home);
        }
    }

    private static String reportJson(Path dir) throws Exception {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).findFirst().orElseThrow();
        }
    }

    /**
     * An MMLongBench-Doc model run at the official protocol (144 dpi) with a page cap of 2 on 4-page documents, killed
     * (SIGKILL) once its first document is scored, then resumed with {@code --resume}: the scored items stay, the rest
     * are asked, and the report at the end covers every question and says what the cap left out.
     */
    @Test
    void mmlongbenchRunKilledMidwayResumesAndAppliesThePageCap() throws Exception {
        Path home = tmp.resolve("home-mmlb");
        SyntheticBenchmark.Written w = SyntheticBenchmark.write(tmp.resolve("synth"), 3, 4, 13);
        // two questions per present document keep the run short
        JsonNode all = JSON.readTree(w.samples().toFile());
        List<JsonNode> some = new ArrayList<>();
        Map<String, Integer> per = new HashMap<>();
        for (JsonNode s : all) {
            String doc = s.get("doc_id").asText();
            if (!doc.startsWith("synthetic-report-") || per.merge(doc, 1, Integer::sum) > 2) {
                continue;
            }
            some.add(s);
        }
        Path samples = tmp.resolve("samples.json");
        JSON.writeValue(samples.toFile(), some);
        String[] args = {"eval", "mmlongbench", "--samples", samples.toString(), "--docs", w.docs().toString(),
                "--mode", "direct", "--max-pages", "2", "--bootstrap", "200", "--report-dir", tmp.resolve("r").toString()};
        try {
            Path log = tmp.resolve("killed.log");
            Map<String, String> props = Map.of("quarkus.log.level", "WARN", "quire.plan.answer-tokens", "12",
                    "quire.plan.context-tokens", "3000", "quire.extract.lease-seconds", "6",
                    "org.bytedeco.javacpp.cachedir", Path.of(System.getProperty("user.home"), ".javacpp", "cache").toString());
            Process p = QuireProcess.command(home, log, props, args).start();
            long run = -1;
            long scored = 0;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(8);
            // wait until the first document's items are stored, then kill the process
            while (p.isAlive() && System.nanoTime() < deadline) {
                if (Files.exists(home.resolve("db/postmaster.pid"))) {
                    try (var c = QuireProcess.connect(home); var st = c.createStatement();
                         var rs = st.executeQuery("SELECT run_id, count(*) FROM quire.eval_item WHERE status = 'SCORED' "
                                 + "GROUP BY run_id ORDER BY run_id DESC LIMIT 1")) {
                        if (rs.next() && rs.getLong(2) >= 2) {
                            run = rs.getLong(1);
                            scored = rs.getLong(2);
                            p.destroyForcibly();
                            break;
                        }
                    } catch (java.sql.SQLException | java.io.IOException | IndexOutOfBoundsException notReadyYet) {
                        // server starting or schema not migrated yet
                    }
                }
                Thread.sleep(200);
            }
            p.waitFor(1, TimeUnit.MINUTES);
            assertTrue(run > 0, "no item was scored before the run ended:\n" + Files.readString(log));
            assertTrue(scored < some.size(), "the run was killed before it finished (" + scored + " of " + some.size()
                    + " scored)");

            List<String> resumeArgs = new ArrayList<>(List.of(args));
            resumeArgs.addAll(List.of("--resume", String.valueOf(run)));
            String out = run(home, 0, resumeArgs.toArray(String[]::new));
            assertTrue(out.contains("resuming evaluation run " + run), out);
            assertTrue(out.contains("page cap 2: 3 documents have more than 2 pages: only their first 2 pages were in "
                    + "the prompts"), out);
            assertTrue(lastLine(out).matches("accuracy \\d\\.\\d{4} f1 \\d\\.\\d{4} \\(" + some.size() + " questions\\)"),
                    "last line: " + lastLine(out));
            assertEquals(run, runId(out));
            JsonNode report = JSON.readTree(tmp.resolve("r").resolve(reportJson(tmp.resolve("r"))).toFile());
            assertEquals(some.size(), report.at("/counts/scored").asInt());
            assertEquals(144, report.at("/settings/dpi").asInt());
            assertEquals(2, report.at("/settings/max_pages").asInt());
        } finally {
            QuireProcess.stopServer(home);
        }
    }
}

package dev.quire.batch.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    @Test
    void showsDocumentsPagesRateAndEta() {
        String s = ProgressLine.format(5, 20, 120, 2, 60);
        assertTrue(s.startsWith("[#######---------------------] 5/20 documents"), s);
        assertTrue(s.contains("120 pages (2.0 pages/s)"), s);
        assertTrue(s.contains("2 pages failed"), s);
        assertTrue(s.endsWith("ETA 3:00"), s);
        assertEquals("scanning sources… | 0 pages (0.0 pages/s)", ProgressLine.format(0, null, 0, 0, 1));
    }

    @Test
    void terminalRedrawsInPlaceWhileLogsGetPlainLines() {
        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        ProgressLine live = new ProgressLine(new PrintStream(tty, true, StandardCharsets.UTF_8), true, Duration.ofHours(1));
        live.update(1, 4, 10, 0);
        live.update(2, 4, 20, 0);
        String out = tty.toString(StandardCharsets.UTF_8);
        assertEquals(2, out.chars().filter(c -> c == '\r').count());
        assertFalse(out.contains("\n"));

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ProgressLine plain = new ProgressLine(new PrintStream(log, true, StandardCharsets.UTF_8), false, Duration.ofHours(1));
        plain.update(1, 4, 10, 0);
        plain.update(2, 4, 20, 0); // within the period: not printed
        plain.finish(4, 4, 40, 0);
        String lines = log.toString(StandardCharsets.UTF_8);
        assertEquals(2, lines.lines().count(), lines);
        assertFalse(lines.contains("\r"));
    }
}

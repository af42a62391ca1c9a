package dev.quire.layout.render;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InkBoxTest {
    @TempDir
    Path tmp;

    @Test
    void findsTheBoxAroundInkInBothImageLayouts() {
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB}) {
            BufferedImage img = new BufferedImage(300, 200, type);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 300, 200);
            assertEquals(Optional.empty(), InkBox.find(img), "all white is blank");
            g.setColor(new Color(250, 250, 250));
            g.fillRect(0, 0, 300, 10);
            assertEquals(Optional.empty(), InkBox.find(img), "near-white paper tone is not ink");
            g.setColor(Color.BLACK);
            g.fillRect(40, 30, 10, 5);
            g.setColor(new Color(255, 255, 150));
            g.fillRect(200, 150, 3, 3);
            g.dispose();
            assertEquals(Optional.of(new InkBox(40, 30, 163, 123)), InkBox.find(img));
        }
    }

    @Test
    void aBlankPdfPageRendersBlankAndATextPageDoesNot() throws Exception {
        Path pdf = tmp.resolve("two.pdf");
        try (PDDocument doc = new PDDocument()) {
            doc.addPage(new PDPage(PDRectangle.LETTER));
            PDPage text = new PDPage(PDRectangle.LETTER);
            doc.addPage(text);
            try (PDPageContentStream cs = new PDPageContentStream(doc, text)) {
                cs.addRect(200, 300, 100, 50);
                cs.fill();
            }
            doc.save(pdf.toFile());
        }
        try (PdfPageRenderer r = PdfPageRenderer.open(pdf, RenderSettings.moonVitDefaults())) {
            RenderedPage blank = r.render(0);
            assertEquals(Optional.empty(), InkBox.find(blank.image()));
            RenderedPage box = r.render(1);
            InkBox ink = InkBox.find(box.image()).orElseThrow();
            double s = box.fit().scale();
            assertEquals(200 * s, ink.x(), 2);
            assertEquals(100 * s, ink.width(), 2);
            assertEquals((792 - 350) * s, ink.y(), 2);
        }
    }
}

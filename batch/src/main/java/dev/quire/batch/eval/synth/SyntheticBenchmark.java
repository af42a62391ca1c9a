package dev.quire.batch.eval.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A synthetic long-document benchmark in MMLongBench-Doc's layout: multi-page reports made with PDFBox (prose,
 * a table and a bar chart on every content page) and a {@code samples.json} of questions with known answers in all
 * five answer formats (Int from tables, Float from prose, Str from charts, List across two pages, None for
 * unanswerable ones). Like the real set it also has one record citing page 0, one citing a page past the end and
 * one whose PDF is absent, so every loader count shows up. Deterministic for a seed.
 */
public final class SyntheticBenchmark {
    static final String[] SITES = {"Kestrel", "Osprey", "Heron", "Falcon", "Plover", "Curlew", "Merlin", "Harrier",
        "Dunlin", "Gannet", "Puffin", "Avocet"};
    static final String[] METRICS = {"apprentices hired", "safety audits completed", "customer complaints",
        "pipelines inspected"};
    static final String[] TYPES = {"Research report / Introduction", "Financial report", "Brochure"};

    public record Written(Path samples, Path docs, int documents, int questions) {
    }

    private SyntheticBenchmark() {
    }

    public static Written write(Path out, int documents, int pages, long seed) throws IOException {
        if (pages < 3) {
            throw new IllegalArgumentException("a synthetic report needs at least 3 pages, not " + pages);
        }
        Path docs = out.resolve("documents");
        Files.createDirectories(docs);
        Random r = new Random(seed);
        List<Map<String, String>> samples = new ArrayList<>();
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        for (int d = 0; d < documents; d++) {
            String docId = String.format(Locale.ROOT, "synthetic-report-%02d.pdf", d + 1);
            String type = TYPES[d % TYPES.length];
            int year = 2015 + r.nextInt(8);
            List<String[]> tableSites = new ArrayList<>();
            try (PDDocument pdf = new PDDocument()) {
                PDPage title = new PDPage(PDRectangle.LETTER);
                pdf.addPage(title);
                try (PDPageContentStream cs = new PDPageContentStream(pdf, title)) {
                    text(cs, bold, 24, 72, 650, "Operations report " + year);
                    text(cs, font, 12, 72, 620, "Synthetic document " + (d + 1) + " of the Quire evaluation set.");
                }
                for (int p = 2; p <= pages; p++) {
                    PDPage page = new PDPage(PDRectangle.LETTER);
                    pdf.addPage(page);
                    String metric = METRICS[r.nextInt(METRICS.length)];
                    String[] sites = pick(r, 4);
                    int[] values = new int[4];
                    for (int k = 0; k < 4; k++) {
                        values[k] = 5 + r.nextInt(400);
                    }
                    double growth = Math.round((1 + r.nextInt(300) / 10.0) * 10) / 10.0;
                    String growthSite = sites[r.nextInt(4)];
                    try (PDPageContentStream cs = new PDPageContentStream(pdf, page)) {
                        text(cs, bold, 16, 72, 720, "Section " + (p - 1) + ": " + metric);
                        text(cs, font, 11, 72, 696, "In " + year + " the site " + growthSite + " grew its output by "
                                + String.format(Locale.ROOT, "%.1f", growth) + " percent compared with the year before.");
                        text(cs, font, 11, 72, 680, "The table below lists " + metric + " per site; the chart shows the same figures.");
                        // table
                        text(cs, bold, 11, 72, 650, "Site");
                        text(cs, bold, 11, 220, 650, "Value");
                        for (int k = 0; k < 4; k++) {
                            text(cs, font, 11, 72, 630 - 18 * k, sites[k]);
                            text(cs, font, 11, 220, 630 - 18 * k, String.valueOf(values[k]));
                        }
                        cs.setStrokingColor(Color.GRAY);
                        cs.addRect(66, 564, 220, 102);
                        cs.stroke();
                        // bar chart
                        text(cs, bold, 11, 72, 520, "Chart: " + metric + " by site");
                        for (int k = 0; k < 4; k++) {
                            float h = values[k] / 2f;
                            cs.setNonStrokingColor(new Color(37, 99, 235));
                            cs.addRect(90 + 90 * k, 300, 50, h);
                            cs.fill();
                            cs.setNonStrokingColor(Color.BLACK);
                            text(cs, font, 10, 90 + 90 * k, 285, sites[k]);
                        }
                    }
                    int best = 0;
                    for (int k = 1; k < 4; k++) {
                        if (values[k] > values[best]) {
                            best = k;
                        }
                    }
                    String ps = "[" + p + "]";
                    samples.add(sample(docId, type, "How many " + metric + " did the site " + sites[1] + " report in the table of section "
                            + (p - 1) + "?", String.valueOf(values[1]), ps, "['Table']", "Int"));
                    samples.add(sample(docId, type, "By what percentage did " + growthSite + " grow its output in section " + (p - 1) + "?",
                            String.format(Locale.ROOT, "%.1f", growth), ps, "['Pure-text (Plain-text)']", "Float"));
                    samples.add(sample(docId, type, "Which site has the tallest bar in the chart of section " + (p - 1) + "?",
                            sites[best], ps, "['Chart']", "Str"));
                    tableSites.add(new String[] {String.valueOf(p), sites[0]});
                }
                pdf.save(docs.resolve(docId).toFile());
            }
            String[] a = tableSites.get(0);
            String[] b = tableSites.get(tableSites.size() - 1);
            samples.add(sample(docId, type, "Which sites are listed first in the tables of sections " + (Integer.parseInt(a[0]) - 1)
                    + " and " + (Integer.parseInt(b[0]) - 1) + "?", "['" + a[1] + "', '" + b[1] + "']",
                    "[" + a[0] + ", " + b[0] + "]", "['Table']", "List"));
            samples.add(sample(docId, type, "What is the telephone number of the chief executive?", "Not answerable", "[]", "[]", "None"));
            samples.add(sample(docId, type, "How many employees did the " + SITES[r.nextInt(SITES.length)] + " site have in 1990?",
                    "Not answerable", "[]", "[]", "None"));
        }
        // the quirks of the real set: a page-0 citation, a citation past the end, a document that is not in the folder
        samples.add(sample(String.format(Locale.ROOT, "synthetic-report-%02d.pdf", 1), TYPES[0],
                "What year does the title page of the report name?", "Not answerable", "[0]", "['Pure-text (Plain-text)']", "None"));
        samples.add(sample(String.format(Locale.ROOT, "synthetic-report-%02d.pdf", 1), TYPES[0],
                "How many sections does the appendix have?", "Not answerable", "[" + (pages + 5) + "]", "['Table']", "None"));
        samples.add(sample("absent-report.pdf", TYPES[1], "How many pages does the absent report have?", "12", "[1]",
                "['Pure-text (Plain-text)']", "Int"));
        Path file = out.resolve("samples.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), samples);
        return new Written(file, docs, documents, samples.size());
    }

    private static Map<String, String> sample(String docId, String type, String q, String answer, String pages,
                                              String sources, String format) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("doc_id", docId);
        m.put("doc_type", type);
        m.put("question", q);
        m.put("answer", answer);
        m.put("evidence_pages", pages);
        m.put("evidence_sources", sources);
        m.put("answer_format", format);
        return m;
    }

    private static String[] pick(Random r, int n) {
        List<String> all = new ArrayList<>(List.of(SITES));
        java.util.Collections.shuffle(all, r);
        return all.subList(0, n).toArray(String[]::new);
    }

    private static void text(PDPageContentStream cs, PDType1Font f, float size, float x, float y, String s) throws IOException {
        cs.beginText();
        cs.setFont(f, size);
        cs.newLineAtOffset(x, y);
        cs.showText(s);
        cs.endText();
    }
}

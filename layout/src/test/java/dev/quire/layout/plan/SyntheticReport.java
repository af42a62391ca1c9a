package dev.quire.layout.plan;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A long synthetic annual report as a real PDF: every page is prose about the same sites, metrics and years,
 * so words of a question occur on many pages; a few pages each state one figure (site, metric, year). Questions
 * come in two forms: with the report's own words, and paraphrased (other words for the metric).
 */
public final class SyntheticReport {
    static final String[] SITES = {"Kestrel", "Osprey", "Heron", "Falcon", "Plover", "Curlew", "Merlin", "Harrier",
        "Dunlin", "Gannet", "Puffin", "Avocet"};
    static final String[] TOWNS = {"Arendal", "Tromso", "Bodo", "Molde", "Hamar", "Larvik", "Narvik", "Alta", "Voss",
        "Skien", "Halden", "Mosjoen"};
    /** metric as the report writes it, and a paraphrase a reader might use */
    static final String[][] METRICS = {
        {"lost-time injuries", "workplace accidents that kept staff off work"},
        {"tonnes of carbon dioxide emitted", "greenhouse gas released, measured in tonnes"},
        {"cubic metres of fresh water used", "volume of water the facility consumed"},
        {"customer complaints", "grievances filed by clients"},
        {"apprentices hired", "trainees taken on"},
        {"kilometres of pipeline inspected", "length of pipes that were checked"},
        {"megawatt hours of electricity consumed", "power usage in MWh"},
        {"safety audits completed", "inspections of safety practices carried out"},
    };
    static final String[] FILLER = {
        "The board reviewed progress against the plan and noted that reporting routines were followed.",
        "Maintenance windows were scheduled to limit the impact on production and on neighbouring communities.",
        "Local management met regularly with unions to discuss staffing, shifts and training needs.",
        "Procurement consolidated suppliers and renegotiated framework agreements for spare parts.",
        "The environmental team updated permits and prepared documentation for the annual inspection.",
        "Digital tools for planning and maintenance were rolled out to more teams during the period.",
        "Risk assessments were revised after changes to equipment, processes and organisation.",
        "Contractors attended induction courses before starting work on any of the company's premises.",
        "The finance department closed the books on time and the auditors raised no material findings.",
    };

    public record Fact(int page, String site, String metric, int year, int value, String question, String paraphrase) {
    }

    public record Doc(Path pdf, int pages, List<Fact> facts) {
    }

    private SyntheticReport() {
    }

    public static Doc write(Path file, int pages, int factCount, long seed) throws IOException {
        Random r = new Random(seed);
        List<Fact> facts = new ArrayList<>();
        Set<Integer> factPages = new HashSet<>();
        Set<String> used = new HashSet<>();
        while (facts.size() < factCount) {
            int page = 2 + r.nextInt(pages - 1);
            int s = r.nextInt(SITES.length);
            int m = r.nextInt(METRICS.length);
            int year = 2016 + r.nextInt(8);
            if (!factPages.add(page) || !used.add(s + "/" + m + "/" + year)) {
                continue;
            }
            int value = 3 + r.nextInt(9000);
            facts.add(new Fact(page, SITES[s], METRICS[m][0], year, value,
                    "How many " + METRICS[m][0] + " did the " + SITES[s] + " site report for " + year + "?",
                    "What was the " + METRICS[m][1] + " at " + SITES[s] + " in " + year + "?"));
        }
        PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        try (PDDocument doc = new PDDocument()) {
            for (int p = 1; p <= pages; p++) {
                PDPage page = new PDPage(PDRectangle.LETTER);
                doc.addPage(page);
                List<String> sentences = new ArrayList<>();
                sentences.add(p == 1 ? "Annual operations report of the Nordic Sites Group." : "Section " + (p / 10 + 1) + ", page " + p + ".");
                for (int k = 0; k < 9; k++) {
                    int s = r.nextInt(SITES.length);
                    int m = r.nextInt(METRICS.length);
                    int year = 2016 + r.nextInt(8);
                    sentences.add(switch (r.nextInt(4)) {
                        case 0 -> "In " + year + " the " + SITES[s] + " site in " + TOWNS[s] + " reviewed how it tracks "
                                + METRICS[m][0] + " and agreed on new targets.";
                        case 1 -> "The " + SITES[s] + " team compared " + METRICS[m][0] + " with the group average; figures are in the appendix.";
                        case 2 -> "Reporting of " + METRICS[m][0] + " across sites was harmonised in " + year + ".";
                        default -> FILLER[r.nextInt(FILLER.length)];
                    });
                    if (r.nextInt(3) == 0) {
                        sentences.add(FILLER[r.nextInt(FILLER.length)]);
                    }
                }
                for (Fact f : facts) {
                    if (f.page() == p) {
                        sentences.add(3, "For " + f.year() + ", the " + f.site() + " site reported " + f.value() + " "
                                + f.metric() + ", according to the site's own register.");
                    }
                }
                try (PDPageContentStream cs = new PDPageContentStream(doc, page)) {
                    cs.beginText();
                    cs.setFont(font, 10);
                    cs.setLeading(13);
                    cs.newLineAtOffset(60, 730);
                    for (String line : wrap(String.join(" ", sentences), 100)) {
                        cs.showText(line);
                        cs.newLine();
                    }
                    cs.endText();
                }
            }
            doc.save(file.toFile());
        }
        return new Doc(file, pages, List.copyOf(facts));
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String w : text.split(" ")) {
            if (line.length() + w.length() + 1 > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(w);
        }
        if (!line.isEmpty()) {
            lines.add(line.toString());
        }
        return lines;
    }
}

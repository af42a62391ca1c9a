import dev.quire.layout.plan.SyntheticReport;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes synthetic long reports (real PDFs) for the planning report: SyntheticDocs OUT_DIR PAGES... */
public class SyntheticDocs {
    public static void main(String[] args) throws Exception {
        Path out = Files.createDirectories(Path.of(args[0]));
        for (int i = 1; i < args.length; i++) {
            int pages = Integer.parseInt(args[i]);
            Path pdf = out.resolve("synthetic-report-" + pages + "p.pdf");
            SyntheticReport.Doc d = SyntheticReport.write(pdf, pages, 12, 7 + pages);
            System.out.println(pdf + ": " + d.pages() + " pages; e.g. page " + d.facts().getFirst().page() + " answers: "
                    + d.facts().getFirst().question());
        }
    }
}

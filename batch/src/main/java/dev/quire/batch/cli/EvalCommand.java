package dev.quire.batch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quire.batch.eval.DocVqaQuestions;
import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import jakarta.batch.runtime.BatchStatus;
import dev.quire.batch.eval.EvalModelRun;
import dev.quire.batch.eval.EvalReport;
import dev.quire.batch.eval.EvalService;
import dev.quire.batch.eval.MmlbSamples;
import dev.quire.batch.eval.RunComparison;
import dev.quire.batch.eval.score.Anls;
import dev.quire.batch.eval.score.MmlbAggregate;
import dev.quire.batch.eval.score.MmlbScorer;
import dev.quire.batch.eval.synth.SyntheticBenchmark;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluation runs: MMLongBench-Doc and DocVQA/InfoVQA-style ANLS, scored by the benchmarks' own rules.",
        subcommands = {EvalCommand.Score.class, EvalCommand.Mmlongbench.class, EvalCommand.DocVqa.class,
                EvalCommand.Report.class, EvalCommand.Compare.class, EvalCommand.Synth.class})
public class EvalCommand {

    /** Writes a run's report files and prints where they are and the summary line. */
    static void finish(EvalService evals, long run, Path reportDir) throws Exception {
        EvalReport r = evals.report(run);
        Path dir = reportDir != null ? reportDir : Path.of(System.getProperty("quire.home", "."), "reports");
        for (Path p : r.write(dir)) {
            System.out.println("report: " + p);
        }
        Map<String, Object> c = r.counts();
        System.out.println("evaluation run " + run + ": " + c.get("scored") + " scored of " + c.get("questions")
                + " questions; missing documents " + c.get("missing_document") + ", no prediction " + c.get("no_prediction")
                + ", records left out " + c.get("records_left_out") + ", citing page 0 " + c.get("citing_page_0")
                + ", citing past the end " + c.get("citing_past_end"));
        if (r.json().containsKey("page_cap")) {
            System.out.println(r.json().get("page_cap"));
        }
        if (r.json().containsKey("notice")) {
            System.out.println(r.json().get("notice"));
        }
        System.out.println(r.summaryLine());
    }

    /** Model runs ingest with the ingest progress bar and work their extraction jobs off here with one progress bar. */
    static void wire(EvalModelRun m, IngestService ingest, IngestProgress ingestLive, ExtractService extract,
                     ExtractProgress extractLive) {
        m.use(files -> {
            IngestCommand.Result r = IngestCommand.run(ingest, ingestLive, files);
            if (r.busy() || !r.ok()) {
                throw new IllegalStateException("the ingest run of the benchmark's documents did not complete");
            }
            return r.runId();
        }, (jobIds, completed) -> {
            ProgressLine bar = ProgressLine.forStdout();
            long total = 0;
            for (long j : jobIds) {
                total += extract.progress(j).expected();
            }
            long before = extractLive.answers();
            long answered = 0;
            long failures = 0;
            boolean ok = true;
            int docs = 0;
            for (long j : jobIds) {
                final long t = total;
                final long a0 = answered;
                final long f0 = failures;
                final int d0 = docs;
                BatchStatus s;
                while (true) {
                    s = extract.await(extract.start(j), () -> {
                        ExtractService.JobProgress p = extract.progress(j);
                        bar.show(ProgressLine.extractFormat(d0 + p.documentsDone(), jobIds.size(), a0 + p.answered(), t,
                                f0 + p.failures(), extractLive.answers() - before, bar.seconds()));
                    });
                    if (s != BatchStatus.COMPLETED || extract.openItems(j) == 0) {
                        break;
                    }
                    // a document still claimed by another worker, or by a killed process until its lease runs out
                    // (a resumed run): claim it again once it is free
                    Thread.sleep(1000);
                }
                ExtractService.JobProgress p = extract.progress(j);
                answered += p.answered();
                failures += p.failures();
                docs += (int) p.documentsDone();
                if (s == BatchStatus.COMPLETED) {
                    completed.accept(j);
                } else {
                    ok = false;
                    System.err.println("extraction job " + j + " ended " + s);
                }
            }
            bar.finish(ProgressLine.extractFormat(docs, jobIds.size(), answered, total, failures,
                    extractLive.answers() - before, bar.seconds()));
            for (String by : jobIds.isEmpty() ? List.<String>of() : extract.answeredBy(jobIds.getFirst())) {
                System.out.println("Answered by " + by);
            }
            return ok;
        });
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"Score a JSONL file: {\"gold\", \"pred\", \"format\"} a line (mmlongbench) or {\"answers\": [...], \"pred\"} (anls).",
                    "Each line is written back with \"score\" added; the accuracy (and F1) of the whole file is printed last."})
    static class Score implements Callable<Integer> {
        @Option(names = "--input", required = true)
        Path input;
        @Option(names = "--metric", defaultValue = "mmlongbench", description = "mmlongbench (default) or anls")
        String metric;
        @Option(names = "--out", description = "output file (default: standard output)")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (!metric.equals("mmlongbench") && !metric.equals("anls")) {
                System.err.println("quire eval score: --metric is mmlongbench or anls, not " + metric);
                return 2;
            }
            ObjectMapper json = new ObjectMapper();
            List<MmlbAggregate.Item> items = new ArrayList<>();
            List<Double> anls = new ArrayList<>();
            int bad = 0;
            PrintStream o = out == null ? System.out : new PrintStream(Files.newOutputStream(out), false, StandardCharsets.UTF_8);
            try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
                String line;
                int n = 0;
                while ((line = in.readLine()) != null) {
                    n++;
                    if (line.isBlank()) {
                        continue;
                    }
                    ObjectNode rec;
                    try {
                        rec = (ObjectNode) json.readTree(line);
                        double s;
                        if (metric.equals("anls")) {
                            List<String> golds = new ArrayList<>();
                            JsonNode a = rec.get("answers");
                            if (a == null || !a.isArray() || rec.get("pred") == null) {
                                throw new IllegalArgumentException("needs \"answers\" (a list) and \"pred\"");
                            }
                            a.forEach(x -> golds.add(x.asText()));
                            s = Anls.score(golds, rec.get("pred").asText());
                            anls.add(s);
                        } else {
                            if (rec.get("gold") == null || rec.get("pred") == null || rec.get("format") == null) {
                                throw new IllegalArgumentException("needs \"gold\", \"pred\" and \"format\"");
                            }
                            String gold = rec.get("gold").asText();
                            String pred = rec.get("pred").isTextual() ? rec.get("pred").asText() : rec.get("pred").toString();
                            MmlbScorer.Score sc = MmlbScorer.score(gold, pred, rec.get("format").asText());
                            s = sc.value();
                            if (sc.note() != null) {
                                rec.put("score_note", sc.note());
                            }
                            items.add(new MmlbAggregate.Item(gold, pred, s));
                        }
                        rec.put("score", s);
                        o.println(json.writeValueAsString(rec));
                    } catch (Exception e) {
                        bad++;
                        System.err.println(input + " line " + n + ": " + e.getMessage() + " (left out)");
                    }
                }
            }
            o.flush();
            if (out != null) {
                o.close();
            }
            if (metric.equals("anls")) {
                System.out.printf(Locale.ROOT, "anls %.4f (%d questions%s)%n", Anls.mean(anls), anls.size(),
                        bad > 0 ? ", " + bad + " lines left out" : "");
            } else {
                MmlbAggregate a = MmlbAggregate.of(items);
                System.out.printf(Locale.ROOT, "accuracy %.4f f1 %.4f (%d questions%s)%n", a.accuracy(), a.f1(), a.questions(),
                        bad > 0 ? ", " + bad + " lines left out" : "");
            }
            return bad > 0 ? 1 : 0;
        }
    }

    /** A run's protocol settings, recorded with it; model runs apply dpi and max_pages ({@link EvalModelRun#selection}). */
    static Map<String, Object> settings(String mode, Integer dpi, int maxPages, Path predictions, int rounds, long seed,
                                        int limit) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", predictions != null ? "predictions-file" : mode);
        s.put("dpi", dpi == null ? "native" : dpi);
        s.put("max_pages", maxPages);
        if (limit > 0) {
            s.put("limit", limit);
        }
        if (predictions != null) {
            s.put("predictions", predictions.toString());
        }
        s.put("bootstrap_rounds", rounds);
        s.put("bootstrap_seed", seed);
        return s;
    }

    /** {@code --dpi}: a positive number, or {@code native} (also 0) for the pages as ingested. */
    static Integer dpi(String text) {
        if (text.equalsIgnoreCase("native") || text.equals("0")) {
            return null;
        }
        try {
            int d = Integer.parseInt(text);
            if (d > 0 && d <= 1200) {
                return d;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--dpi is a resolution from 1 to 1200 or native, not " + text);
    }

    @Command(name = "mmlongbench", mixinStandardHelpOptions = true,
            description = "Run (or score predictions for) MMLongBench-Doc: samples.json + a folder of PDFs named by doc_id.")
    static class Mmlongbench implements Callable<Integer> {
        @Option(names = "--samples", required = true, description = "samples.json (the official layout)")
        Path samples;
        @Option(names = "--docs", required = true, description = "folder of the PDFs, named by doc_id")
        Path docs;
        @Option(names = "--predictions", description = "score this JSONL (doc_id, question, pred) instead of running a model")
        Path predictions;
        @Option(names = "--mode", defaultValue = "two-step", description = "two-step (answer, then extraction prompt; official flow) or direct")
        String mode;
        @Option(names = "--dpi", defaultValue = "144", description = "render PDF pages at this DPI for the prompts (official 144); "
                + "native = the native-resolution pages of ingest")
        String dpi;
        @Option(names = "--max-pages", defaultValue = "120", description = "show the model at most the first N pages (official 120; 0 = all)")
        int maxPages;
        @Option(names = "--resume", description = "continue evaluation run RUN (killed or failed) with its stored settings: "
                + "scored questions are kept, the rest are asked and scored")
        Long resume;
        @Option(names = "--limit", defaultValue = "0", description = "only the first N questions (0 = all)")
        int limit;
        @Option(names = "--bootstrap", defaultValue = "2000", description = "bootstrap rounds for the 95% intervals")
        int rounds;
        @Option(names = "--report-dir", description = "where the report files go (default $QUIRE_HOME/reports)")
        Path reportDir;

        private final EvalService evals;
        private final EvalModelRun modelRun;

        Mmlongbench(EvalService evals, EvalModelRun modelRun, IngestService ingest, IngestProgress ingestLive,
                    ExtractService extract, ExtractProgress extractLive) {
            this.evals = evals;
            this.modelRun = modelRun;
            wire(modelRun, ingest, ingestLive, extract, extractLive);
        }

        @Override
        public Integer call() throws Exception {
            if (!mode.equals("two-step") && !mode.equals("direct")) {
                System.err.println("quire eval mmlongbench: --mode is two-step or direct, not " + mode);
                return 2;
            }
            Integer dpiValue;
            try {
                dpiValue = dpi(dpi);
            } catch (IllegalArgumentException e) {
                System.err.println("quire eval mmlongbench: " + e.getMessage());
                return 2;
            }
            if (maxPages < 0) {
                System.err.println("quire eval mmlongbench: --max-pages is 0 (all) or more, not " + maxPages);
                return 2;
            }
            Map<String, Object> s = settings(mode, dpiValue, maxPages, predictions, rounds, 12, limit);
            if (resume != null) {
                if (predictions != null) {
                    System.err.println("quire eval mmlongbench: --resume continues a model run; a predictions file is scored anew");
                    return 2;
                }
                try {
                    evals.resumable(resume, "mmlongbench", samples);
                } catch (IllegalArgumentException e) {
                    System.err.println("quire eval mmlongbench: --resume: " + e.getMessage());
                    return 2;
                }
                s = evals.settings(resume);
                mode = String.valueOf(s.get("mode"));
                limit = s.get("limit") instanceof Number n ? n.intValue() : 0;
                System.out.println("resuming evaluation run " + resume + " with its settings " + s);
            }
            if (!Files.isDirectory(docs)) {
                System.err.println("quire eval mmlongbench: --docs " + docs + " is not a folder");
                return 2;
            }
            MmlbSamples.Loaded loaded;
            try {
                loaded = MmlbSamples.read(samples, docs);
            } catch (java.io.IOException e) {
                System.err.println("quire eval mmlongbench: " + e.getMessage());
                return 2;
            }
            if (limit > 0 && loaded.samples().size() > limit) {
                loaded = new MmlbSamples.Loaded(loaded.file(), loaded.samples().subList(0, limit), loaded.problems(), loaded.docs());
            }
            System.out.println(samples + ": " + loaded.samples().size() + " questions over " + loaded.docs().size()
                    + " documents (" + loaded.missingDocs() + " missing), " + loaded.problems().size() + " records left out");
            loaded.problems().stream().limit(10).forEach(p -> System.out.println("  " + p));
            if (predictions == null) {
                EvalModelRun.selection(s); // checks the settings before any work
            }
            long run;
            if (predictions != null) {
                run = evals.scoreMmlbPredictions(loaded, predictions, s);
            } else {
                try {
                    run = modelRun.mmlongbench(loaded, s, mode.equals("two-step"), resume);
                } catch (IllegalStateException e) {
                    System.err.println("quire eval mmlongbench: " + e.getMessage());
                    return 1;
                }
            }
            finish(evals, run, reportDir);
            return 0;
        }
    }

    @Command(name = "docvqa", mixinStandardHelpOptions = true,
            description = "Run (or score predictions for) a DocVQA/InfoVQA-style set: questions JSON + images folder; ANLS.")
    static class DocVqa implements Callable<Integer> {
        @Option(names = "--questions", required = true)
        Path questions;
        @Option(names = "--images", required = true)
        Path images;
        @Option(names = "--predictions", description = "score this JSONL (questionId, pred) instead of running a model")
        Path predictions;
        @Option(names = "--bootstrap", defaultValue = "2000")
        int rounds;
        @Option(names = "--report-dir")
        Path reportDir;
        @Option(names = "--resume", description = "continue evaluation run RUN (killed or failed): scored questions are kept")
        Long resume;

        private final EvalService evals;
        private final EvalModelRun modelRun;

        DocVqa(EvalService evals, EvalModelRun modelRun, IngestService ingest, IngestProgress ingestLive,
               ExtractService extract, ExtractProgress extractLive) {
            this.evals = evals;
            this.modelRun = modelRun;
            wire(modelRun, ingest, ingestLive, extract, extractLive);
        }

        @Override
        public Integer call() throws Exception {
            DocVqaQuestions.Loaded loaded;
            try {
                loaded = DocVqaQuestions.read(questions, images);
            } catch (java.io.IOException e) {
                System.err.println("quire eval docvqa: " + e.getMessage());
                return 2;
            }
            System.out.println(questions + ": " + loaded.questions().size() + " questions (" + loaded.missingImages()
                    + " with a missing image), " + loaded.problems().size() + " records left out");
            Map<String, Object> s = settings("direct", null, 0, predictions, rounds, 12, 0);
            if (resume != null) {
                try {
                    if (predictions != null) {
                        throw new IllegalArgumentException("continues a model run; a predictions file is scored anew");
                    }
                    evals.resumable(resume, "docvqa", questions);
                } catch (IllegalArgumentException e) {
                    System.err.println("quire eval docvqa: --resume: " + e.getMessage());
                    return 2;
                }
                s = evals.settings(resume);
                System.out.println("resuming evaluation run " + resume);
            }
            long run;
            try {
                run = predictions != null ? evals.scoreDocVqaPredictions(loaded, predictions, s)
                        : modelRun.docvqa(loaded, s, resume);
            } catch (IllegalStateException e) {
                System.err.println("quire eval docvqa: " + e.getMessage());
                return 1;
            }
            finish(evals, run, reportDir);
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true, description = "Write a run's report (JSON, Markdown, HTML) again.")
    static class Report implements Callable<Integer> {
        @Parameters(index = "0", description = "evaluation run id")
        long run;
        @Option(names = "--report-dir")
        Path reportDir;
        private final EvalService evals;

        Report(EvalService evals) {
            this.evals = evals;
        }

        @Override
        public Integer call() throws Exception {
            try {
                finish(evals, run, reportDir);
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("quire eval report: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare two runs item by item: changed items and the paired difference with its 95% interval.")
    static class Compare implements Callable<Integer> {
        @Parameters(index = "0")
        long a;
        @Parameters(index = "1")
        long b;
        private final EvalService evals;

        Compare(EvalService evals) {
            this.evals = evals;
        }

        @Override
        public Integer call() {
            try {
                RunComparison c = evals.compare(a, b);
                System.out.println(c.text());
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println("quire eval compare: " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = "Write the synthetic long-document benchmark (PDFs + samples.json in MMLongBench-Doc's layout).")
    static class Synth implements Callable<Integer> {
        @Option(names = "--out", required = true)
        Path out;
        @Option(names = "--documents", defaultValue = "3")
        int documents;
        @Option(names = "--pages", defaultValue = "6")
        int pages;
        @Option(names = "--seed", defaultValue = "7")
        long seed;

        @Override
        public Integer call() throws Exception {
            SyntheticBenchmark.Written w = SyntheticBenchmark.write(out, documents, pages, seed);
            System.out.println("wrote " + w.documents() + " PDFs and " + w.questions() + " questions: " + w.samples()
                    + " (docs in " + w.docs() + ")");
            return 0;
        }
    }
}

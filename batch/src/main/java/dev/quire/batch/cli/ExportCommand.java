package dev.quire.batch.cli;

import dev.quire.batch.export.AnswerExport;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write one record per (document, question) of an extraction job: document id and file name, question,",
                "answer, parsed value, evidence pages, status and reason, engine/model identity, tokens and timings."})
public class ExportCommand implements Callable<Integer> {
    @Option(names = "--job", required = true, description = "extraction job id")
    long job;

    @Option(names = "--format", defaultValue = "jsonl", description = "jsonl (default) or csv")
    String format;

    @Option(names = "--out", description = "output file (default: standard output)")
    Path out;

    @Option(names = "--reviewed", description = {"add each answer's review: reviewState, finalValue (the correction where",
        "there is one), finalParsedValue, reviewer and reviewedAt, beside the model's own answer"})
    boolean reviewed;

    private final AnswerExport export;

    public ExportCommand(AnswerExport export) {
        this.export = export;
    }

    @Override
    public Integer call() throws Exception {
        if (!format.equals("jsonl") && !format.equals("csv")) {
            System.err.println("quire export: --format is jsonl or csv, not " + format);
            return 2;
        }
        try (OutputStream o = out == null ? System.out : Files.newOutputStream(out)) {
            PrintStream p = new PrintStream(o, false, java.nio.charset.StandardCharsets.UTF_8);
            long n = format.equals("csv") ? export.csv(job, reviewed, p) : export.jsonl(job, reviewed, p);
            p.flush();
            if (out != null) {
                System.out.println(n + " records written to " + out);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("quire export: " + e.getMessage());
            return 1;
        }
        return 0;
    }
}

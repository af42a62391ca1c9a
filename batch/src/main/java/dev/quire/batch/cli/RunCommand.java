package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Ingest files, folders and globs, then ask a question set of every document of that ingest run",
                "(ingest + extract in one go). Exit 0 when both completed."})
public class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PATH", arity = "1..*", description = "files, folders or glob patterns (quote globs)")
    List<String> sources;

    @Option(names = "--questions", required = true, description = "question set file (.yaml, .yml or .json)")
    Path questions;

    private final IngestService ingest;
    private final IngestProgress ingestLive;
    private final ExtractService extract;
    private final ExtractProgress extractLive;

    public RunCommand(IngestService ingest, IngestProgress ingestLive, ExtractService extract, ExtractProgress extractLive) {
        this.ingest = ingest;
        this.ingestLive = ingestLive;
        this.extract = extract;
        this.extractLive = extractLive;
    }

    @Override
    public Integer call() throws Exception {
        QuestionSet set;
        try {
            set = QuestionSet.read(questions);
        } catch (IllegalArgumentException e) {
            System.err.println("quire run: " + e.getMessage());
            return 2;
        }
        IngestCommand.Result r = IngestCommand.run(ingest, ingestLive, sources);
        if (r.busy()) {
            return 2;
        }
        if (!r.ok()) {
            System.err.println(r.runId() < 0 ? "quire run: no ingest run was started (see above); not extracting"
                    : "quire run: the ingest run did not complete; not extracting");
            return 1;
        }
        long job = extract.submit(set, "run:" + r.runId());
        return ExtractRun.run(extract, extractLive, job, false) ? 0 : 1;
    }
}

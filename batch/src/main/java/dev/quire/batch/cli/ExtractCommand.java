package dev.quire.batch.cli;

import dev.quire.batch.extract.ExtractProgress;
import dev.quire.batch.extract.ExtractService;
import dev.quire.batch.questions.QuestionSet;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Ask a question set (questions and/or a template of typed fields, YAML or JSON) of many stored",
                "documents with the configured model and store every answer. The job is worked off in this process;",
                "more processes can help with ./quire worker. Exit 0 when every document is done."})
public class ExtractCommand implements Callable<Integer> {
    @Option(names = "--questions", required = true, description = "question set file (.yaml, .yml or .json)")
    Path questions;

    @Option(names = "--docs", defaultValue = "all",
            description = "documents: all (default), ids and ranges (3,7-9), run:N (an ingest run), or a file-name glob ('*.pdf')")
    String docs;

    @Option(names = "--submit-only", description = "create the job and print its id; leave the work to quire worker processes")
    boolean submitOnly;

    private final ExtractService extract;
    private final ExtractProgress live;

    public ExtractCommand(ExtractService extract, ExtractProgress live) {
        this.extract = extract;
        this.live = live;
    }

    @Override
    public Integer call() throws Exception {
        long job;
        try {
            job = extract.submit(QuestionSet.read(questions), docs);
        } catch (IllegalArgumentException e) {
            System.err.println("quire extract: " + e.getMessage());
            return 2;
        }
        if (submitOnly) {
            ExtractService.JobProgress p = extract.progress(job);
            System.out.println("Submitted extraction job " + job + ": " + p.documents() + " documents × " + p.questions()
                    + " questions. Work it off with: ./quire worker --job " + job);
            ExtractRun.printSkipped(p);
            return 0;
        }
        return ExtractRun.run(extract, live, job, false) ? 0 : 1;
    }
}

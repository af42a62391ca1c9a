package dev.quire.batch.cli;

import picocli.CommandLine.Command;

@Command(name = "quire", mixinStandardHelpOptions = true, version = "quire 0.1.0",
        description = "Quire: long documents to native-resolution pages, VLM answers and evidence in PostgreSQL.",
        subcommands = {IngestCommand.class, StatusCommand.class, PlanCommand.class, AskCommand.class, ExtractCommand.class,
                RunCommand.class, WorkerCommand.class, ExportCommand.class, ServeCommand.class, UserCommand.class, VlmCommand.class,
                BlobsCommand.class, EvalCommand.class})
public class QuireCommand {
}

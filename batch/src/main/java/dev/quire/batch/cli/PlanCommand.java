package dev.quire.batch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quire.batch.ingest.IngestProgress;
import dev.quire.batch.ingest.IngestService;
import dev.quire.batch.plan.PlanService;
import dev.quire.layout.plan.PlanException;
import dev.quire.layout.plan.PlanSettings;
import dev.quire.layout.plan.PromptPlan;
import dev.quire.layout.plan.Strategy;
import dev.quire.storage.document.Document;
import dev.quire.storage.document.DocumentStatus;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Plan a question over a stored document without running the model: which pages go into the",
                "prompt, at which resolution, how many tokens each item takes, and which strategy. The plan is stored",
                "(its id is printed). With --all, plan every stored document and print one line each (a report)."})
public class PlanCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DOC_ID_OR_FILE", arity = "0..1",
            description = "a document id (see ./quire status) or a file (found by its SHA-256; ingested first if new)")
    String target;

    @Option(names = "--question", required = true, description = "the question to plan for")
    String question;

    @Option(names = "--strategy", description = "auto | single | multigranular | mapreduce (default: quire.plan.strategy)")
    String strategy;

    @Option(names = "--context", description = "context tokens to plan for (default: quire.plan.context-tokens, 0 = the model's)")
    Integer context;

    @Option(names = "--answer-tokens", description = "tokens kept for the answer (default: quire.plan.answer-tokens)")
    Integer answerTokens;

    @Option(names = "--json", description = "print the whole plan as JSON")
    boolean json;

    @Option(names = "--all", description = "plan every READY/PARTIAL document and print a report line per document")
    boolean all;

    private final PlanService plans;
    private final ObjectMapper mapper;
    private final IngestService ingest;
    private final IngestProgress ingestLive;

    public PlanCommand(PlanService plans, ObjectMapper mapper, IngestService ingest, IngestProgress ingestLive) {
        this.plans = plans;
        this.mapper = mapper;
        this.ingest = ingest;
        this.ingestLive = ingestLive;
    }

    @Override
    public Integer call() throws Exception {
        PlanSettings s = plans.settings();
        if (strategy != null) {
            s = s.withStrategy(Strategy.parse(strategy));
        }
        if (context != null) {
            s = s.withContext(context);
        }
        if (answerTokens != null) {
            s = s.withAnswerTokens(answerTokens);
        }
        try {
            if (all) {
                return report(s);
            }
            if (target == null) {
                System.err.println("quire plan: give a document id or file, or --all");
                return 2;
            }
            Long doc = new DocumentArg(target).resolveUsable("plan", ingest, ingestLive);
            if (doc == null) {
                return 1;
            }
            PlanService.Planned p = plans.plan(doc, question, s);
            if (json) {
                System.out.println(mapper.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(p.plan()));
            } else {
                print(p);
            }
            return 0;
        } catch (PlanException | IllegalArgumentException e) {
            System.err.println("quire plan: " + e.getMessage());
            return 1;
        }
    }

    private void print(PlanService.Planned p) {
        PromptPlan plan = p.plan();
        System.out.printf(Locale.ROOT, "Plan %d for document %d (%s, %d pages) with %s%n", p.id(), p.documentId(),
                plan.document(), plan.pages(), p.model());
        System.out.printf(Locale.ROOT, "Question: %s%n", plan.question());
        System.out.printf(Locale.ROOT, "Strategy: %s (asked: %s)%s%n", plan.strategy().id(), plan.requested().id(),
                plan.ranking().isEmpty() ? "" : ", pages ranked by " + plan.ranking());
        for (PromptPlan.Prompt prompt : plan.prompts()) {
            System.out.printf(Locale.ROOT, "%n%s call, pages %d-%d: %d prompt tokens (template %d%s)%n", prompt.role(),
                    prompt.firstPage(), prompt.lastPage(), prompt.promptTokens(), prompt.templateTokens(),
                    prompt.reservedTokens() > 0 ? ", reserved for chunk answers " + prompt.reservedTokens() : "");
            System.out.printf(Locale.ROOT, "  %-6s %-10s %-22s %-11s %7s  %s%n", "page", "resolution", "crop (x,y wxh)", "sent px",
                    "tokens", "text");
            for (PromptPlan.Item i : prompt.items()) {
                switch (i.kind()) {
                    case TEXT -> System.out.printf(Locale.ROOT, "  %-6s %-10s %-22s %-11s %7d  %s%n", "", "text", "", "",
                            i.tokens(), abbreviate(i.text()));
                    case PAGE, DEMO -> System.out.printf(Locale.ROOT, "  %-6s %-10s %-22s %-11s %7d%n",
                            i.kind() == PromptPlan.Kind.DEMO ? "ex." + (i.page() + 1) : String.valueOf(i.page()),
                            i.kind() == PromptPlan.Kind.DEMO ? "example" : i.resolution().name().toLowerCase(Locale.ROOT),
                            i.crop().x() + "," + i.crop().y() + " " + i.crop().width() + "x" + i.crop().height(),
                            i.width() + "x" + i.height(), i.tokens());
                }
            }
        }
        for (PromptPlan.Skipped s : plan.skipped()) {
            System.out.printf(Locale.ROOT, "skipped page %d: %s%n", s.page(), s.reason());
        }
        System.out.printf(Locale.ROOT, "%nTotal: %d calls, %d prompt tokens; largest call %d of %d context tokens "
                        + "(answer room %d included); %d pages at full resolution, %d as thumbnails, %d skipped; "
                        + "planned in %.1f ms%n",
                plan.prompts().size(), plan.totalPromptTokens(), plan.peakTokens(), plan.contextTokens(),
                plan.answerTokens(), plan.fullPages(), plan.thumbnailPages(), plan.skipped().size(),
                plan.planningMicros() / 1000.0);
        System.out.printf(Locale.ROOT, "(%.1f ms with loading the pages and storing the plan)%n", p.totalMicros() / 1000.0);
    }

    private int report(PlanSettings s) {
        List<Document> docs = QuarkusTransaction.requiringNew().call(() -> Document.<Document>list(
                "status in ?1 order by id", List.of(DocumentStatus.READY, DocumentStatus.PARTIAL)));
        System.out.printf(Locale.ROOT, "%-5s %-42s %5s %-13s %5s %5s %5s %5s %8s %8s %9s %9s%n", "doc", "file",
                "pages", "strategy", "calls", "full", "thumb", "skip", "peak", "context", "plan ms", "total ms");
        List<String> failures = new ArrayList<>();
        long worstMicros = 0;
        long worstTotal = 0;
        for (Document d : docs) {
            try {
                PlanService.Planned planned = plans.plan(d.id, question, s);
                PromptPlan plan = planned.plan();
                worstMicros = Math.max(worstMicros, plan.planningMicros());
                worstTotal = Math.max(worstTotal, planned.totalMicros());
                System.out.printf(Locale.ROOT, "%-5d %-42s %5d %-13s %5d %5d %5d %5d %8d %8d %9.1f %9.1f%n", d.id,
                        abbreviate(d.fileName), plan.pages(), plan.strategy().id(), plan.prompts().size(), plan.fullPages(),
                        plan.thumbnailPages(), plan.skipped().size(), plan.peakTokens(), plan.contextTokens(),
                        plan.planningMicros() / 1000.0, planned.totalMicros() / 1000.0);
            } catch (PlanException e) {
                failures.add(d.id + " " + d.fileName + ": " + e.getMessage());
            }
        }
        System.out.printf(Locale.ROOT, "%d documents planned; slowest planning %.1f ms, slowest with loading pages and "
                        + "storing the plan %.1f ms%s%n", docs.size() - failures.size(), worstMicros / 1000.0,
                worstTotal / 1000.0, failures.isEmpty() ? "" : "; not plannable:\n  " + failures.stream()
                        .collect(Collectors.joining("\n  ")));
        return failures.isEmpty() ? 0 : 1;
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ').strip();
        return one.length() > 42 ? one.substring(0, 41) + "…" : one;
    }
}

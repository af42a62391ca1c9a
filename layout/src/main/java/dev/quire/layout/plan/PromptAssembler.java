package dev.quire.layout.plan;

import dev.quire.layout.plan.PromptPlan.Item;
import dev.quire.layout.plan.PromptPlan.Prompt;
import dev.quire.layout.render.InkBox;
import dev.quire.layout.render.PageFit;
import dev.quire.vlm.engine.PromptPart;
import dev.quire.vlm.engine.TokenCosts;
import dev.quire.vlm.image.ImageProcessor;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Turns a planned prompt into the engine's prompt parts: texts as planned, page images cropped and scaled as planned. */
public final class PromptAssembler {

    /** The stored image of a page (as rendered at ingest). */
    @FunctionalInterface
    public interface PageImages {
        BufferedImage page(int number) throws IOException;

        /** The SHA-256 of the stored image of a page, when known (it keys the engine's caches); else null. */
        default String sha256(int number) {
            return null;
        }
    }

    private PromptAssembler() {
    }

    public static List<PromptPart> parts(Prompt prompt, PageImages pages, List<Demonstration> demos) throws IOException {
        if (prompt.role() == PromptPlan.Role.REDUCE) {
            throw new IllegalArgumentException("a reduce prompt needs the chunk answers: use reduceParts");
        }
        List<PromptPart> out = new ArrayList<>();
        for (Item item : prompt.items()) {
            switch (item.kind()) {
                case TEXT -> out.add(PromptPart.text(item.text()));
                case PAGE -> out.add(PromptPart.image(image(item, pages.page(item.page())), key(item, pages.sha256(item.page()))));
                case DEMO -> out.add(PromptPart.image(demos.get(item.page()).image()));
            }
        }
        return out;
    }

    /**
     * The reduce prompt: its intro, one line per chunk answer, then its instructions. A chunk's line is held to
     * the room the plan reserved for it (its label plus the answer tokens), shortening the quoted answer if needed.
     */
    public static List<PromptPart> reduceParts(Prompt reduce, List<Prompt> maps, List<ParsedAnswer> answers,
                                               TokenCosts costs, int answerTokens) {
        if (maps.size() != answers.size()) {
            throw new IllegalArgumentException(maps.size() + " chunks but " + answers.size() + " answers");
        }
        List<PromptPart> out = new ArrayList<>();
        out.add(PromptPart.text(reduce.items().getFirst().text()));
        for (int i = 0; i < maps.size(); i++) {
            Prompt m = maps.get(i);
            int room = costs.textTokens(PromptText.chunkAnswer(m.firstPage(), m.lastPage(), "", List.of())) + answerTokens;
            String answer = answers.get(i).answer();
            List<Integer> evidence = answers.get(i).evidencePages();
            String line = PromptText.chunkAnswer(m.firstPage(), m.lastPage(), answer, evidence);
            while (costs.textTokens(line) > room) {
                if (evidence.size() > 1) {
                    evidence = evidence.subList(0, evidence.size() / 2);
                } else if (!answer.isEmpty()) {
                    answer = answer.substring(0, answer.length() * 3 / 4);
                } else {
                    evidence = List.of();
                }
                line = PromptText.chunkAnswer(m.firstPage(), m.lastPage(), answer.isEmpty() ? "" : answer + "…", evidence);
            }
            out.add(PromptPart.text(line));
        }
        out.add(PromptPart.text(reduce.items().getLast().text()));
        return out;
    }

    /**
     * The identity of the image a page item sends: the stored page's SHA-256 with the crop, the scaled size and the
     * padded size — everything {@link #image} derives the pixels from. Null when the stored image's hash is unknown.
     */
    public static String key(Item item, String storedSha256) {
        if (storedSha256 == null) {
            return null;
        }
        InkBox c = item.crop();
        return "page-sha256=" + storedSha256 + ";crop=" + c.x() + "," + c.y() + "," + c.width() + "x" + c.height()
                + ";scaled=" + item.imageWidth() + "x" + item.imageHeight() + ";sent=" + item.width() + "x" + item.height();
    }

    /** The planned image of a page: its crop of the stored image, scaled, padded white to the planned size. */
    public static BufferedImage image(Item item, BufferedImage stored) {
        InkBox c = item.crop();
        if (c.x() + c.width() > stored.getWidth() || c.y() + c.height() > stored.getHeight()) {
            throw new IllegalArgumentException("page " + item.page() + ": planned crop " + c + " lies outside the stored "
                    + stored.getWidth() + "x" + stored.getHeight() + " image (was the page re-rendered after planning?)");
        }
        BufferedImage region = stored.getSubimage(c.x(), c.y(), c.width(), c.height());
        BufferedImage scaled = ImageProcessor.resize(region, item.imageWidth(), item.imageHeight());
        if (item.imageWidth() == item.width() && item.imageHeight() == item.height()) {
            return scaled;
        }
        BufferedImage canvas = new PageFit(1, item.imageWidth(), item.imageHeight(), item.width(), item.height()).blankCanvas();
        Graphics2D g = canvas.createGraphics();
        try {
            g.drawImage(scaled, 0, 0, null);
        } finally {
            g.dispose();
        }
        return canvas;
    }
}

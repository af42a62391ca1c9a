package dev.quire.batch.ingest;

import dev.quire.batch.QuireConfig;
import dev.quire.layout.render.RenderSettings;
import dev.quire.vlm.image.ImageGeometry;
import dev.quire.vlm.image.ImageProcessorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The geometry pages are rendered for: the configured model's ({@code quire.vlm.model}, the demo made if missing)
 * {@code patch_size}, {@code merge_kernel_size} and {@code in_token_limit} from its {@code preprocessor_config.json},
 * with each {@code quire.render.patch-size}, {@code merge} and {@code max-patches} that is set winning over the
 * model's value. A missing file or key is an error naming the file and the key (never a Kimi-VL default).
 */
@ApplicationScoped
public class RenderGeometry {
    private final QuireConfig config;

    public RenderGeometry(QuireConfig config) {
        this.config = config;
    }

    /**
     * The geometry in force and where each value came from.
     *
     * @param geometry the geometry pages are rendered for
     * @param settings rendering settings from it and the other {@code quire.render.*} keys
     * @param source   where the values came from, e.g. {@code patch_size 14, merge_kernel_size 2x2, in_token_limit 4096
     *                 from /m/preprocessor_config.json}
     */
    public record Resolved(ImageGeometry geometry, RenderSettings settings, String source) {
        /** The geometry as recorded with runs and documents (comparable: equal strings, equal page images). */
        public String key() {
            return RenderGeometry.key(geometry);
        }

        /** One line for people: what the pages are rendered for and why. */
        public String summary() {
            return String.format(Locale.ROOT, "%s → at most %,d px per page, sides multiples of %dx%d px",
                    source, settings.maxPixels(), settings.alignWidth(), settings.alignHeight());
        }
    }

    public static String key(ImageGeometry g) {
        return "patch_size=" + g.patchSize() + " merge_kernel_size=" + g.mergeHeight() + "x" + g.mergeWidth()
                + " in_token_limit=" + g.inTokenLimit() + " pad_input=" + g.padInput();
    }

    /** Reads the configured model's preprocessor_config.json now (a changed file is seen by the next run). */
    public Resolved current() {
        return resolve(config.modelDir(config.vlm().model()), config.render());
    }

    /** The geometry for the checkpoint in {@code modelDir} with the overrides set in {@code render}. */
    public static Resolved resolve(Path modelDir, QuireConfig.Render render) {
        Path file = modelDir.resolve("preprocessor_config.json");
        ImageGeometry model = ImageProcessorConfig.read(file).geometry();
        ImageGeometry g = render.geometry(model);
        List<String> fromModel = new ArrayList<>();
        List<String> overridden = new ArrayList<>();
        String patch = "patch_size " + g.patchSize();
        if (render.patchSize().isPresent()) {
            overridden.add(patch + " from quire.render.patch-size (the model's is " + model.patchSize() + ")");
        } else {
            fromModel.add(patch);
        }
        String merge = "merge_kernel_size " + g.mergeHeight() + "x" + g.mergeWidth();
        if (render.merge().isPresent()) {
            overridden.add(merge + " from quire.render.merge (the model's is " + model.mergeHeight() + "x"
                    + model.mergeWidth() + ")");
        } else {
            fromModel.add(merge);
        }
        String limit = "in_token_limit " + g.inTokenLimit();
        if (render.maxPatches().isPresent()) {
            overridden.add(limit + " from quire.render.max-patches (the model's is " + model.inTokenLimit() + ")");
        } else {
            fromModel.add(limit);
        }
        List<String> parts = new ArrayList<>();
        if (!fromModel.isEmpty()) {
            parts.add(String.join(", ", fromModel) + " from " + file);
        }
        parts.addAll(overridden);
        return new Resolved(g, render.settings(model), String.join("; ", parts));
    }
}

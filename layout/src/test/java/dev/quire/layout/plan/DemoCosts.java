package dev.quire.layout.plan;

import dev.quire.vlm.demo.DemoCheckpoint;
import dev.quire.vlm.engine.PromptBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The demo checkpoint's prompt builder (real tokenizer files, real processor config), made once per test JVM. */
final class DemoCosts {
    private DemoCosts() {
    }

    private static final class Holder {
        static final PromptBuilder BUILDER;

        static {
            try {
                Path dir = Files.createTempDirectory("quire-plan-demo");
                BUILDER = PromptBuilder.open(DemoCheckpoint.ensure(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static PromptBuilder builder() {
        return Holder.BUILDER;
    }
}

package dev.quire.vlm.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quire.vlm.config.ConfigError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The geometry comes from the model's preprocessor_config.json; a gap in it is an error naming the file and the key. */
class ImageProcessorConfigTest {
    @TempDir
    Path tmp;

    String error(String json) throws IOException {
        Path f = Files.writeString(tmp.resolve("preprocessor_config.json"), json);
        return assertThrows(ConfigError.class, () -> ImageProcessorConfig.read(f)).getMessage();
    }

    @Test
    void geometryIsReadFromTheFile() throws IOException {
        Path f = Files.writeString(tmp.resolve("preprocessor_config.json"),
                "{\"patch_size\": 16, \"merge_kernel_size\": [2, 2], \"in_token_limit\": 16384, \"pad_input\": false}");
        ImageGeometry g = ImageProcessorConfig.read(f).geometry();
        assertEquals(16, g.patchSize());
        assertEquals(16384, g.inTokenLimit());
        assertFalse(g.padInput());
    }

    @Test
    void aMissingFileOrKeyOrABadValueNamesTheFileAndTheProblem() throws IOException {
        Path none = tmp.resolve("nowhere/preprocessor_config.json");
        assertEquals(none + " is missing: the image geometry (patch_size, merge_kernel_size, in_token_limit) comes from "
                + "the model's preprocessor_config.json", assertThrows(ConfigError.class, () -> ImageProcessorConfig.read(none))
                .getMessage());
        Path f = tmp.resolve("preprocessor_config.json");
        assertEquals(f + ": key patch_size is missing", error("{\"merge_kernel_size\": [2, 2], \"in_token_limit\": 4096}"));
        assertEquals(f + ": key in_token_limit is missing", error("{\"patch_size\": 14, \"merge_kernel_size\": [2, 2]}"));
        assertEquals(f + ": key merge_kernel_size is missing", error("{\"patch_size\": 14, \"in_token_limit\": 4096}"));
        assertEquals(f + ": patch_size must be a positive integer, got \"14\"",
                error("{\"patch_size\": \"14\", \"merge_kernel_size\": [2, 2], \"in_token_limit\": 4096}"));
        assertEquals(f + ": merge_kernel_size must be [height, width] of positive integers, got [2]",
                error("{\"patch_size\": 14, \"merge_kernel_size\": [2], \"in_token_limit\": 4096}"));
        assertEquals(f + ": in_token_limit must be a positive integer, got 0",
                error("{\"patch_size\": 14, \"merge_kernel_size\": [2, 2], \"in_token_limit\": 0}"));
        assertEquals(f + ": pad_input must be true or false, got \"yes\"",
                error("{\"patch_size\": 14, \"merge_kernel_size\": [2, 2], \"in_token_limit\": 4096, \"pad_input\": \"yes\"}"));
        assertEquals(f + ": is not a JSON object", error("[1, 2]"));
    }
}

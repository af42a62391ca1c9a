package dev.quire.vlm.tokenizer;

import dev.quire.vlm.checkpoint.CheckpointError;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code tiktoken.model} format: one token per line, {@code base64(bytes) rank}. */
public final class TiktokenFile {
    private TiktokenFile() {
    }

    public static Map<byte[], Integer> read(Path file) {
        Map<byte[], Integer> ranks = new LinkedHashMap<>();
        try {
            int lineNo = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space < 0) {
                    throw new CheckpointError(file + " line " + lineNo + ": expected \"<base64> <rank>\"");
                }
                try {
                    ranks.put(Base64.getDecoder().decode(line.substring(0, space)),
                            Integer.parseInt(line.substring(space + 1).trim()));
                } catch (IllegalArgumentException e) {
                    throw new CheckpointError(file + " line " + lineNo + ": " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new CheckpointError(file + ": cannot be read: " + e.getMessage(), e);
        }
        return ranks;
    }

    /** Writes tokens with ranks 0..n-1 in list order. */
    public static void write(Path file, List<byte[]> tokens) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < tokens.size(); i++) {
                w.write(Base64.getEncoder().encodeToString(tokens.get(i)));
                w.write(' ');
                w.write(Integer.toString(i));
                w.write('\n');
            }
        }
    }
}

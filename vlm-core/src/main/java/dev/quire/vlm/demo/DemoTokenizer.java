package dev.quire.vlm.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quire.vlm.tokenizer.TiktokenFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The demo checkpoint's tokenizer files, in the real format: a {@code tiktoken.model} with the 256 byte tokens
 * plus merge chains for common English words (so BPE merging is exercised), and a {@code tokenizer_config.json}
 * whose special tokens follow the Kimi layout (specials right after the BPE vocabulary, same names).
 */
public final class DemoTokenizer {
    private static final String WORDS = "the of and to in is a for on that with as by this are be from at or an "
            + "page pages document report table figure total answer question evidence not answerable date year "
            + "amount number name value section summary which what when where who how many";
    /** Special tokens in Kimi's order, offsets from the end of the BPE vocabulary. */
    private static final String[] SPECIALS = {"[BOS]", "[EOS]", "<|im_end|>", "<|im_user|>", "<|im_assistant|>", null,
            "<|start_header_id|>", "<|end_header_id|>", null, "[EOT]", "<|im_system|>", null, null, null, null, null,
            null, "<|im_middle|>", "<|media_start|>", "<|media_content|>", "<|media_end|>", "<|media_pad|>"};

    private DemoTokenizer() {
    }

    /** The BPE tokens in rank order: bytes 0..255, then every prefix chain of the word list. */
    public static List<byte[]> vocabulary() {
        Set<String> pieces = new LinkedHashSet<>();
        for (String w : WORDS.split(" ")) {
            for (String form : new String[] {w, " " + w}) {
                for (int len = 2; len <= form.length(); len++) {
                    pieces.add(form.substring(0, len));
                }
            }
        }
        List<byte[]> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(new byte[] {(byte) b});
        }
        for (String p : pieces) {
            tokens.add(p.getBytes(StandardCharsets.UTF_8));
        }
        return tokens;
    }

    /** Number of ids the demo vocabulary spans (BPE tokens + specials). */
    public static int vocabSize() {
        return vocabulary().size() + SPECIALS.length;
    }

    public static int specialId(String content) {
        for (int i = 0; i < SPECIALS.length; i++) {
            if (content.equals(SPECIALS[i])) {
                return vocabulary().size() + i;
            }
        }
        throw new IllegalArgumentException("no demo special token " + content);
    }

    public static void write(Path dir) throws IOException {
        List<byte[]> vocab = vocabulary();
        TiktokenFile.write(dir.resolve("tiktoken.model"), vocab);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "TikTokenTokenizer");
        config.put("bos_token", "[BOS]");
        config.put("eos_token", "[EOS]");
        ObjectNode added = config.putObject("added_tokens_decoder");
        for (int i = 0; i < SPECIALS.length; i++) {
            String content = SPECIALS[i] != null ? SPECIALS[i] : "<|reserved_token_" + i + "|>";
            ObjectNode t = added.putObject(Integer.toString(vocab.size() + i));
            t.put("content", content);
            t.put("special", true);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }
}

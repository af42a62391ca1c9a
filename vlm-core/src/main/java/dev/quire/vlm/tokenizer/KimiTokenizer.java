package dev.quire.vlm.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.GptBytePairEncodingParams;
import com.knuddels.jtokkit.api.IntArrayList;
import dev.quire.vlm.checkpoint.CheckpointError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The Kimi tokenizer: byte-level BPE over the checkpoint's {@code tiktoken.model} (run by JTokkit) with Kimi's
 * pre-tokenization pattern, plus the special tokens listed in {@code tokenizer_config.json}. Text is always
 * encoded as ordinary text — a document that contains "&lt;|im_end|&gt;" cannot inject a special token;
 * special tokens enter prompts only through {@link ChatPrompt}. Thread-safe.
 */
public final class KimiTokenizer {
    /**
     * Kimi's split pattern. Java spells the Han script {@code \p{IsHan}} where the Python original has {@code \p{Han}};
     * {@code &&[^…]} is Java's class intersection, as in the original.
     */
    static final String SPLIT = String.join("|",
            "[\\p{IsHan}]+",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}&&[^\\p{IsHan}]]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?",
            "\\p{N}{1,3}",
            " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*",
            "\\s*[\\r\\n]+",
            "\\s+(?!\\S)",
            "\\s+");
    public static final Pattern PATTERN = Pattern.compile(SPLIT, Pattern.UNICODE_CHARACTER_CLASS);

    private final Encoding bpe;
    private final int baseVocab;
    private final Map<String, Integer> specials;
    private final Map<Integer, String> specialsById;
    private final int vocabSize;

    private KimiTokenizer(Encoding bpe, int baseVocab, Map<String, Integer> specials) {
        this.bpe = bpe;
        this.baseVocab = baseVocab;
        this.specials = Map.copyOf(specials);
        Map<Integer, String> byId = new HashMap<>();
        specials.forEach((k, v) -> byId.put(v, k));
        this.specialsById = Map.copyOf(byId);
        this.vocabSize = Math.max(baseVocab, byId.keySet().stream().mapToInt(i -> i + 1).max().orElse(0));
    }

    /** Loads {@code tiktoken.model} and the special tokens of {@code tokenizer_config.json} from a checkpoint folder. */
    public static KimiTokenizer load(Path dir) {
        Path model = dir.resolve("tiktoken.model");
        if (!Files.isRegularFile(model)) {
            throw new CheckpointError(dir + ": tiktoken.model is missing");
        }
        Map<byte[], Integer> ranks = TiktokenFile.read(model);
        Map<String, Integer> specials = readSpecials(dir.resolve("tokenizer_config.json"));
        int base = ranks.values().stream().mapToInt(i -> i + 1).max().orElse(0);
        for (Map.Entry<String, Integer> s : specials.entrySet()) {
            if (s.getValue() < base) {
                throw new CheckpointError(dir + ": special token " + s.getKey() + " has id " + s.getValue()
                        + ", inside the BPE vocabulary (0.." + (base - 1) + ")");
            }
        }
        String name = "kimi-" + Integer.toHexString(System.identityHashCode(ranks));
        Encoding enc = Encodings.newLazyEncodingRegistry()
                .registerGptBytePairEncoding(new GptBytePairEncodingParams(name, PATTERN, ranks, Map.of()))
                .getEncoding(name).orElseThrow();
        return new KimiTokenizer(enc, base, specials);
    }

    private static Map<String, Integer> readSpecials(Path config) {
        if (!Files.isRegularFile(config)) {
            throw new CheckpointError(config + " is missing (it lists the special tokens)");
        }
        try {
            JsonNode added = new ObjectMapper().readTree(Files.readString(config)).path("added_tokens_decoder");
            if (!added.isObject() || added.isEmpty()) {
                throw new CheckpointError(config + ": \"added_tokens_decoder\" lists no special tokens");
            }
            Map<String, Integer> out = new HashMap<>();
            added.fields().forEachRemaining(e -> out.put(e.getValue().path("content").asText(), Integer.parseInt(e.getKey())));
            return out;
        } catch (IOException | NumberFormatException e) {
            throw new CheckpointError(config + ": " + e.getMessage(), e);
        }
    }

    /** Token ids of {@code text}, all ordinary (special-token strings in the text are plain text). */
    public int[] encode(String text) {
        return bpe.encodeOrdinary(text).toArray();
    }

    public int count(String text) {
        return bpe.countTokensOrdinary(text);
    }

    /** Text of {@code ids}; special tokens appear as their strings, broken UTF-8 as U+FFFD. */
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IntArrayList run = new IntArrayList();
        for (int id : ids) {
            String special = specialsById.get(id);
            if (special != null || id < 0 || id >= baseVocab) {
                flush(run, out);
                out.writeBytes((special != null ? special : "<|unk_" + id + "|>").getBytes(StandardCharsets.UTF_8));
            } else {
                run.add(id);
            }
        }
        flush(run, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The raw bytes of one ordinary token (for streaming, where a character may span tokens). */
    public byte[] tokenBytes(int id) {
        String special = specialsById.get(id);
        if (special != null) {
            return special.getBytes(StandardCharsets.UTF_8);
        }
        IntArrayList one = new IntArrayList();
        one.add(id);
        return bpe.decodeBytes(one);
    }

    private void flush(IntArrayList run, ByteArrayOutputStream out) {
        if (!run.isEmpty()) {
            out.writeBytes(bpe.decodeBytes(run));
            run.clear();
        }
    }

    public OptionalInt special(String content) {
        Integer id = specials.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The id of a special token the prompt format needs; an error naming it when the tokenizer lacks it. */
    public int requireSpecial(String content) {
        Integer id = specials.get(content);
        if (id == null) {
            throw new CheckpointError("the tokenizer has no special token " + content + " (tokenizer_config.json)");
        }
        return id;
    }

    public boolean isSpecial(int id) {
        return specialsById.containsKey(id);
    }

    public int vocabSize() {
        return vocabSize;
    }
}

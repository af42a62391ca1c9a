package dev.quire.vlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat template checked token by token against ids written out by hand from Kimi-VL's template. The tokenizer
 * here is written by the test itself: a byte-level vocabulary (ids 0..255 are the bytes, no merges, so every text
 * id is its ASCII code) with the special tokens at Kimi's offsets after the vocabulary (base 256: [BOS] +0,
 * [EOS] +1, im_end +2, im_user +3, im_assistant +4, im_system +10, im_middle +17, media_start +18, media_content +19,
 * media_end +20, media_pad +21 — as 163584 + offset in the real tokenizer).
 */
class ChatTemplateIdsTest {

    static KimiTokenizer byteTokenizer(Path dir) throws IOException {
        List<byte[]> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            bytes.add(new byte[] {(byte) b});
        }
        TiktokenFile.write(dir.resolve("tiktoken.model"), bytes);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"added_tokens_decoder": {
                  "256": {"content": "[BOS]", "special": true},
                  "257": {"content": "[EOS]", "special": true},
                  "258": {"content": "<|im_end|>", "special": true},
                  "259": {"content": "<|im_user|>", "special": true},
                  "260": {"content": "<|im_assistant|>", "special": true},
                  "266": {"content": "<|im_system|>", "special": true},
                  "273": {"content": "<|im_middle|>", "special": true},
                  "274": {"content": "<|media_start|>", "special": true},
                  "275": {"content": "<|media_content|>", "special": true},
                  "276": {"content": "<|media_end|>", "special": true},
                  "277": {"content": "<|media_pad|>", "special": true}
                }}
                """);
        return KimiTokenizer.load(dir);
    }

    @Test
    void aUserTurnWithoutSystemMessageGetsTheTemplatesDefaultSystemTurn(@TempDir Path dir) throws IOException {
        KimiTokenizer tok = byteTokenizer(dir);
        int[] expected = {
                // <|im_system|> s y s t e m <|im_middle|>
                266, 115, 121, 115, 116, 101, 109, 273,
                // Y o u _ a r e _ a _ h e l p f u l _ a s s i s t a n t
                89, 111, 117, 32, 97, 114, 101, 32, 97, 32, 104, 101, 108, 112, 102, 117, 108, 32,
                97, 115, 115, 105, 115, 116, 97, 110, 116,
                // <|im_end|>
                258,
                // <|im_user|> u s e r <|im_middle|>
                259, 117, 115, 101, 114, 273,
                // H i
                72, 105,
                // <|media_start|> i m a g e <|media_content|> <|media_pad|> x2 <|media_end|>
                274, 105, 109, 97, 103, 101, 275, 277, 277, 276,
                // <|im_end|> <|im_assistant|> a s s i s t a n t <|im_middle|>
                258, 260, 97, 115, 115, 105, 115, 116, 97, 110, 116, 273};
        ChatPrompt.Tokens t = ChatPrompt.build(tok, null, List.of(new ChatPrompt.Text("Hi"), new ChatPrompt.Image(2)));
        assertArrayEquals(expected, t.ids());
        assertEquals(List.of(new ChatPrompt.ImageSpan(51, 2)), t.images());
    }

    @Test
    void aGivenSystemTextReplacesTheDefault(@TempDir Path dir) throws IOException {
        KimiTokenizer tok = byteTokenizer(dir);
        int[] expected = {266, 115, 121, 115, 116, 101, 109, 273, 66, 101, 32, 98, 114, 105, 101, 102, 46, 258,
                259, 117, 115, 101, 114, 273, 81, 63, 258, 260, 97, 115, 115, 105, 115, 116, 97, 110, 116, 273};
        assertArrayEquals(expected, ChatPrompt.build(tok, "Be brief.", List.of(new ChatPrompt.Text("Q?"))).ids());
    }
}

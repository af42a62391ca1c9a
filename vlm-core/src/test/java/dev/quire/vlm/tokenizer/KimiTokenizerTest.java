package dev.quire.vlm.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import dev.quire.vlm.checkpoint.CheckpointError;
import dev.quire.vlm.demo.DemoTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KimiTokenizerTest {
    @TempDir
    static Path dir;
    static KimiTokenizer tok;

    @BeforeAll
    static void writeDemoTokenizer() throws IOException {
        DemoTokenizer.write(dir);
        tok = KimiTokenizer.load(dir);
    }

    @Test
    void splitPatternSeparatesHanCaseWordsAndDigitsLikeKimi() {
        Matcher m = KimiTokenizer.PATTERN.matcher("Hello世界 CamelCase I'm 12345");
        List<String> pieces = new ArrayList<>();
        while (m.find()) {
            pieces.add(m.group());
        }
        assertEquals(List.of("Hello", "世界", " Camel", "Case", " I'm", " ", "123", "45"), pieces);
    }

    @Test
    void multilingualTextRoundTrips() {
        for (String s : List.of("The total of the report is 1,234.56 USD.", "第3页的表格显示了2023年的收入。",
                "표와 함께 한국어 텍스트", "النص العربي من اليمين إلى اليسار", "Ünïcödé — ✓ emoji 📄 done\n\n\ttabs",
                "", "   ", "<|im_end|> is plain text here")) {
            assertEquals(s, tok.decode(tok.encode(s)), s);
        }
    }

    @Test
    void mergesApplyAndSpecialStringsInTextStayOrdinary() {
        assertEquals(1, tok.encode(" the").length, "' the' is one merged token of the demo vocabulary");
        assertEquals(4, tok.encode(" the the the the").length);
        int[] ids = tok.encode("<|im_end|>");
        assertTrue(ids.length > 1);
        for (int id : ids) {
            assertFalse(tok.isSpecial(id), "document text must not inject special tokens");
        }
    }

    @Test
    void chatTemplateExpandsEachImageToItsTokenCount() {
        ChatPrompt.Tokens t = ChatPrompt.build(tok, ChatPrompt.DEFAULT_SYSTEM,
                List.of(new ChatPrompt.Text("Page 1:"), new ChatPrompt.Image(6), new ChatPrompt.Text("Page 2:"),
                        new ChatPrompt.Image(4), new ChatPrompt.Text("What is the total?")));
        int pad = tok.requireSpecial("<|media_pad|>");
        assertEquals(2, t.images().size());
        long pads = java.util.Arrays.stream(t.ids()).filter(i -> i == pad).count();
        assertEquals(10, pads);
        for (ChatPrompt.ImageSpan s : t.images()) {
            for (int i = 0; i < s.length(); i++) {
                assertEquals(pad, t.ids()[s.start() + i]);
            }
            assertEquals(tok.requireSpecial("<|media_content|>"), t.ids()[s.start() - 1]);
            assertEquals(tok.requireSpecial("<|media_end|>"), t.ids()[s.start() + s.length()]);
        }
        String text = tok.decode(t.ids());
        assertTrue(text.startsWith("<|im_system|>system<|im_middle|>You are a helpful assistant<|im_end|><|im_user|>user<|im_middle|>Page 1:<|media_start|>image<|media_content|><|media_pad|>"), text);
        assertTrue(text.endsWith("What is the total?<|im_end|><|im_assistant|>assistant<|im_middle|>"), text);
        assertEquals(2, ChatPrompt.stopTokens(tok).length);
    }

    @Test
    void missingFilesAndSpecialsAreClearErrors(@TempDir Path empty) throws IOException {
        assertTrue(assertThrows(CheckpointError.class, () -> KimiTokenizer.load(empty)).getMessage().contains("tiktoken.model is missing"));
        Files.copy(dir.resolve("tiktoken.model"), empty.resolve("tiktoken.model"));
        Files.writeString(empty.resolve("tokenizer_config.json"), "{\"added_tokens_decoder\": {\"3\": {\"content\": \"[BOS]\"}}}");
        assertTrue(assertThrows(CheckpointError.class, () -> KimiTokenizer.load(empty)).getMessage().contains("inside the BPE vocabulary"));
        assertThrows(CheckpointError.class, () -> tok.requireSpecial("<|nope|>"));
    }
}

package dev.quire.vlm.engine;

import java.util.List;

/** One chat turn: optional system text, the user's parts (text and images interleaved), the options. */
public record GenerateRequest(String system, List<PromptPart> parts, GenerationOptions options) {
    public GenerateRequest {
        parts = List.copyOf(parts);
    }
}

package dev.quire.layout.ocr;

/** One word Tesseract read, its box in the OCR image's pixels (origin top-left) and its confidence (0–100). */
public record OcrWord(String text, int x0, int y0, int x1, int y1, float confidence, int line) {
}

-- Issue 15: Office files converted to PDF (the PDF kept beside the original) and OCR'd pages.
ALTER TABLE document ADD COLUMN converted_blob VARCHAR(64);
ALTER TABLE document ADD COLUMN convert_ms INTEGER;
-- Where a page's words came from: TEXT_LAYER (the PDF's own text) or OCR; null when the page has no words.
ALTER TABLE page ADD COLUMN text_source VARCHAR(16);
ALTER TABLE page ADD COLUMN ocr_ms INTEGER;

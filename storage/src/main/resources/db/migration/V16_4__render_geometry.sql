-- The encoder geometry pages were rendered for (the configured model's preprocessor_config.json, or the
-- quire.render.* overrides), so a run resumed or a document met again under another model's geometry is noticed.
-- Rows from before this migration have none (rendered for Kimi-VL-Instruct's patch 14, merge 2x2, 4096 patches
-- unless quire.render.* said otherwise).
ALTER TABLE ingest_run ADD COLUMN render_geometry TEXT;
ALTER TABLE ingest_run ADD COLUMN render_geometry_source TEXT;
ALTER TABLE document ADD COLUMN render_geometry TEXT;

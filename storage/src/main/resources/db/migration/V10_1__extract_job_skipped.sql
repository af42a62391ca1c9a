-- The documents a job's selection named but could not use (no such id, or not READY/PARTIAL), each with the reason,
-- so that `quire extract --docs 3,7-9` never drops a document silently.
ALTER TABLE extract_job ADD COLUMN skipped JSONB NOT NULL DEFAULT '[]'::jsonb;

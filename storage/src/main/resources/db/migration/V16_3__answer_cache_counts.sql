-- What the embedded engine reused for each answer (issue 13): images whose vision encoding came from its cache
-- vs encoded, and calls continued from a cached prefilled prompt prefix with the prompt tokens they skipped.
-- NULL for answers stored before (or by engines that do not report it).
ALTER TABLE answer ADD COLUMN vision_cache_hits INTEGER;
ALTER TABLE answer ADD COLUMN vision_cache_misses INTEGER;
ALTER TABLE answer ADD COLUMN prefix_cache_hits INTEGER;
ALTER TABLE answer ADD COLUMN prefix_cache_tokens INTEGER;

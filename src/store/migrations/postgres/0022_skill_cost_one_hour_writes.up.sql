-- The part of a call's cache writes made with the 1-hour lifetime, priced
-- apart (cacheWrite1h), so that stored calls can be priced again exactly
-- (`session-buddy reprice`). NULL on rows stored before this migration, whose
-- cache writes are all priced at the 5-minute price when repriced (an
-- approximation where some were 1-hour writes), and on telemetry rows (Claude Code reports no split;
-- their cost is the one Claude Code reported and is never repriced).
ALTER TABLE skill_cost_calls ADD COLUMN cache_write_1h_tokens BIGINT;

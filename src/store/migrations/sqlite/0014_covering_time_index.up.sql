-- Windowed reads sum the raw rows of a window's partial hours per skill and
-- duration bucket. With the columns they read in the time index, they read the
-- index alone instead of fetching every row from the table (about half the
-- cost). It replaces the time-only index, so writes still maintain one index.
CREATE INDEX IF NOT EXISTS idx_invocations_time_cover ON skill_invocations (invoked_at, skill_id, duration_ms, completed);
DROP INDEX IF EXISTS idx_invocations_invoked_at;

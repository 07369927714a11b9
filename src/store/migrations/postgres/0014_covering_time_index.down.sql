CREATE INDEX IF NOT EXISTS idx_invocations_invoked_at ON skill_invocations (invoked_at);
DROP INDEX IF EXISTS idx_invocations_time_cover;

CREATE INDEX IF NOT EXISTS idx_invocations_session ON skill_invocations (session_id);

-- Nothing reads raw invocations by session (sessions have their own rollups), and this
-- index cost about a third of the raw insert rate.
DROP INDEX IF EXISTS idx_invocations_session;

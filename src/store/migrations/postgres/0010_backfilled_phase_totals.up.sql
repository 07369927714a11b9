-- Invocations recorded long after they happened (backfill: imports, demo data)
-- per skill, phase and outcome, so that the live Prometheus counter can leave
-- them out of its stored totals. Rows recorded before this column existed count as live.
ALTER TABLE skill_phase_totals ADD COLUMN backfilled BIGINT NOT NULL DEFAULT 0;

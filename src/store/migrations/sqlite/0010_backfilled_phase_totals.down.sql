ALTER TABLE skill_phase_totals DROP COLUMN backfilled;

DROP TABLE IF EXISTS skill_trigger_hourly;
ALTER TABLE skill_invocations DROP COLUMN IF EXISTS slash_after_miss;
ALTER TABLE skill_invocations DROP COLUMN IF EXISTS activation_trigger;

DROP TABLE IF EXISTS skill_trigger_hourly;
ALTER TABLE skill_invocations DROP COLUMN slash_after_miss;
ALTER TABLE skill_invocations DROP COLUMN activation_trigger;

-- How a skill was activated: 'model' (the agent called the Skill tool) or
-- 'typed' (the user typed /name, a prompt expansion); NULL for other tools.
-- slash_after_miss marks a typed activation that follows, within a few user
-- prompts, a prompt where the skill was available but not used (an estimate).
ALTER TABLE skill_invocations ADD COLUMN activation_trigger TEXT CHECK (activation_trigger IN ('model', 'typed'));
ALTER TABLE skill_invocations ADD COLUMN slash_after_miss INTEGER CHECK (slash_after_miss IN (0, 1));
-- Rollup per skill, hour and activation_trigger, maintained by the writer with the raw rows.
CREATE TABLE skill_trigger_hourly (
  skill_id INTEGER NOT NULL REFERENCES skills (id),
  hour INTEGER NOT NULL,
  activation_trigger TEXT NOT NULL CHECK (activation_trigger IN ('model', 'typed')),
  invocations INTEGER NOT NULL DEFAULT 0,
  successes INTEGER NOT NULL DEFAULT 0,
  slash_after_miss INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (skill_id, hour, activation_trigger)
) WITHOUT ROWID;
-- Rows recorded before this migration: Skill tool calls were model-triggered.
UPDATE skill_invocations SET activation_trigger = 'model' WHERE skill_id IN (SELECT id FROM skills WHERE name LIKE 'skill:%');
INSERT INTO skill_trigger_hourly (skill_id, hour, activation_trigger, invocations, successes, slash_after_miss)
  SELECT skill_id, invoked_at / 3600000, 'model', count(*), sum(completed), 0
  FROM skill_invocations WHERE activation_trigger = 'model' GROUP BY skill_id, invoked_at / 3600000;

DROP INDEX IF EXISTS idx_skill_cost_skill_hourly_hour;
DROP INDEX IF EXISTS idx_skill_cost_daily_day;

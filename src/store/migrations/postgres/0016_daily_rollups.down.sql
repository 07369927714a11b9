DROP TABLE IF EXISTS skill_daily_durations;
DROP TABLE IF EXISTS skill_daily;

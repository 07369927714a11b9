DROP TABLE IF EXISTS skill_cost_daily;
DROP TABLE IF EXISTS skill_cost_skill_hourly;

DROP TABLE IF EXISTS skill_cost_invocations;
DROP TABLE IF EXISTS skill_cost_hourly;
DROP TABLE IF EXISTS skill_cost_calls;

-- The count and API calls of each day and hour of the user-less cost rollups,
-- read from these indexes alone: a period's version, so a reader can keep the
-- rows of past periods in memory and read again only those written since.
CREATE INDEX idx_skill_cost_daily_day ON skill_cost_daily (day, api_calls);
CREATE INDEX idx_skill_cost_skill_hourly_hour ON skill_cost_skill_hourly (hour, api_calls);

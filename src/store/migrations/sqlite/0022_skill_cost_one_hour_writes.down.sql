ALTER TABLE skill_cost_calls DROP COLUMN cache_write_1h_tokens;

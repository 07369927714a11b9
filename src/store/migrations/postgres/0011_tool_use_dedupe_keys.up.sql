-- Claude Code dedupe keys lose the session id: `cc:<session>:<tool_use_id>` becomes
-- `cc:<tool_use_id>` (a tool_use_id is unique on its own, and a resumed or forked
-- transcript repeats copied lines under a new session id). Keys with more parts (hook
-- calls without a tool_use_id) stay as they are. When several rows carry the same
-- tool_use_id, the earliest row takes the new key and the others keep their old key:
-- no row is dropped (rollups stay equal to the raw rows), and no new copy can come in.
CREATE TEMP TABLE dedupe_rekey ON COMMIT DROP AS
  SELECT min(rowid_) AS row_id, 'cc:' || split_part(dedupe_key, ':', 3) AS new_key
  FROM skill_invocations
  WHERE dedupe_key LIKE 'cc:%' AND length(dedupe_key) - length(replace(dedupe_key, ':', '')) = 2
  GROUP BY 2;
DELETE FROM dedupe_rekey WHERE new_key IN (SELECT dedupe_key FROM skill_invocations WHERE dedupe_key IS NOT NULL);
UPDATE skill_invocations AS s SET dedupe_key = r.new_key FROM dedupe_rekey AS r WHERE s.rowid_ = r.row_id;

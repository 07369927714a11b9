-- Claude Code dedupe keys lose the session id: `cc:<session>:<tool_use_id>` becomes
-- `cc:<tool_use_id>` (a tool_use_id is unique on its own, and a resumed or forked
-- transcript repeats copied lines under a new session id). Keys with more parts (hook
-- calls without a tool_use_id) stay as they are. When several rows carry the same
-- tool_use_id, the earliest row takes the new key and the others keep their old key:
-- no row is dropped (rollups stay equal to the raw rows), and no new copy can come in.
CREATE TABLE dedupe_rekey AS
  SELECT min(rowid_) AS row_id, 'cc:' || substr(dedupe_key, 4 + instr(substr(dedupe_key, 4), ':')) AS new_key
  FROM skill_invocations
  WHERE dedupe_key LIKE 'cc:%' AND length(dedupe_key) - length(replace(dedupe_key, ':', '')) = 2
  GROUP BY 2;
DELETE FROM dedupe_rekey WHERE new_key IN (SELECT dedupe_key FROM skill_invocations WHERE dedupe_key IS NOT NULL);
UPDATE skill_invocations
  SET dedupe_key = (SELECT new_key FROM dedupe_rekey WHERE row_id = skill_invocations.rowid_)
  WHERE rowid_ IN (SELECT row_id FROM dedupe_rekey);
DROP TABLE dedupe_rekey;

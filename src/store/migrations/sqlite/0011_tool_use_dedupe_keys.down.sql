-- Back to `cc:<session>:<tool_use_id>` (the session from the row's session).
UPDATE skill_invocations
  SET dedupe_key = 'cc:' || (SELECT session_key FROM sessions WHERE sessions.id = skill_invocations.session_id) || ':' || substr(dedupe_key, 4)
  WHERE dedupe_key LIKE 'cc:%' AND length(dedupe_key) - length(replace(dedupe_key, ':', '')) = 1;

-- Back to `cc:<session>:<tool_use_id>` (the session from the row's session).
UPDATE skill_invocations AS s
  SET dedupe_key = 'cc:' || x.session_key || ':' || substr(s.dedupe_key, 4)
  FROM sessions AS x
  WHERE x.id = s.session_id AND s.dedupe_key LIKE 'cc:%' AND length(s.dedupe_key) - length(replace(s.dedupe_key, ':', '')) = 1;

-- Skills taxonomy ----------------------------------------------------------
CREATE TABLE skill_categories (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL
);

CREATE TABLE skill_modalities (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL
);

-- Every skill name ever seen is interned here; rollups key on the integer id.
CREATE TABLE skills (
  id            BIGSERIAL PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  category_id   BIGINT REFERENCES skill_categories(id),
  modality_id   BIGINT REFERENCES skill_modalities(id),
  first_seen_at BIGINT NOT NULL
);

-- Declared dependency rules between skills (e.g. deploy should follow tests).
CREATE TABLE skill_dependency_rules (
  id          BIGSERIAL PRIMARY KEY,
  skill_name  TEXT NOT NULL,
  requires    TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('requires', 'recommends', 'conflicts')),
  description TEXT NOT NULL,
  UNIQUE (skill_name, requires)
);

-- Identities -----------------------------------------------------------------
-- Users are known only by a salted SHA-256 hash of their identifier.
CREATE TABLE users (
  id        BIGSERIAL PRIMARY KEY,
  user_hash TEXT NOT NULL UNIQUE
);

CREATE TABLE sessions (
  id               BIGSERIAL PRIMARY KEY,
  session_key      TEXT NOT NULL UNIQUE,
  user_id          BIGINT NOT NULL REFERENCES users(id),
  project          TEXT,
  agent            TEXT,
  first_at         BIGINT NOT NULL,
  last_at          BIGINT NOT NULL,
  invocations      BIGINT NOT NULL DEFAULT 0,
  successes        BIGINT NOT NULL DEFAULT 0
);

-- Raw invocations ------------------------------------------------------------
CREATE TABLE skill_invocations (
  rowid_      BIGSERIAL PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  skill_id    BIGINT NOT NULL REFERENCES skills(id),
  session_id  BIGINT NOT NULL REFERENCES sessions(id),
  user_id     BIGINT NOT NULL REFERENCES users(id),
  workflow_phase TEXT NOT NULL,
  completed   INTEGER NOT NULL CHECK (completed IN (0, 1)),
  duration_ms BIGINT NOT NULL CHECK (duration_ms >= 0),
  error_type  TEXT,
  invoked_at  BIGINT NOT NULL,
  project     TEXT,
  agent       TEXT,
  metadata    TEXT,
  dedupe_key  TEXT
);
CREATE INDEX idx_invocations_invoked_at ON skill_invocations (invoked_at);
CREATE INDEX idx_invocations_session ON skill_invocations (session_id);
CREATE UNIQUE INDEX idx_invocations_dedupe ON skill_invocations (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- Incremental rollups (maintained in the same transaction as the raw row) ----
-- Per skill per hour; hour = floor(invoked_at / 3600000).
CREATE TABLE skill_hourly (
  skill_id        BIGINT NOT NULL,
  hour            BIGINT NOT NULL,
  invocations     BIGINT NOT NULL,
  successes       BIGINT NOT NULL,
  duration_sum    DOUBLE PRECISION NOT NULL,
  duration_sq_sum DOUBLE PRECISION NOT NULL,
  last_at         BIGINT NOT NULL,
  PRIMARY KEY (skill_id, hour)
);
CREATE INDEX idx_skill_hourly_hour ON skill_hourly (hour);

-- Log-bucketed duration histogram per skill per hour (see analytics/histogram.ts).
CREATE TABLE skill_hourly_durations (
  skill_id BIGINT NOT NULL,
  hour     BIGINT NOT NULL,
  bucket   BIGINT NOT NULL,
  count    BIGINT NOT NULL,
  PRIMARY KEY (skill_id, hour, bucket)
);

-- All-time totals per skill.
CREATE TABLE skill_totals (
  skill_id        BIGINT PRIMARY KEY,
  invocations     BIGINT NOT NULL,
  successes       BIGINT NOT NULL,
  duration_sum    DOUBLE PRECISION NOT NULL,
  duration_sq_sum DOUBLE PRECISION NOT NULL,
  sessions        BIGINT NOT NULL,
  users           BIGINT NOT NULL,
  first_at        BIGINT NOT NULL,
  last_at         BIGINT NOT NULL
);

-- All-time duration histogram per skill.
CREATE TABLE skill_durations (
  skill_id BIGINT NOT NULL,
  bucket   BIGINT NOT NULL,
  count    BIGINT NOT NULL,
  PRIMARY KEY (skill_id, bucket)
);

-- All-time counts per skill, phase and outcome (Prometheus counters start from these).
CREATE TABLE skill_phase_totals (
  skill_id       BIGINT NOT NULL,
  workflow_phase TEXT NOT NULL,
  completed      INTEGER NOT NULL,
  invocations    BIGINT NOT NULL,
  duration_sum   DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (skill_id, workflow_phase, completed)
);

-- Per user per skill.
CREATE TABLE user_skill_stats (
  user_id     BIGINT NOT NULL,
  skill_id    BIGINT NOT NULL,
  invocations BIGINT NOT NULL,
  successes   BIGINT NOT NULL,
  last_at     BIGINT NOT NULL,
  PRIMARY KEY (user_id, skill_id)
);
CREATE INDEX idx_user_skill_stats_skill ON user_skill_stats (skill_id);

-- The set of skills of each session, and pair counts derived from it.
CREATE TABLE session_skills (
  session_id  BIGINT NOT NULL,
  skill_id    BIGINT NOT NULL,
  invocations BIGINT NOT NULL,
  successes   BIGINT NOT NULL,
  PRIMARY KEY (session_id, skill_id)
);

-- Number of sessions in which both skills occur; skill_a < skill_b.
CREATE TABLE skill_pairs (
  skill_a  BIGINT NOT NULL,
  skill_b  BIGINT NOT NULL,
  sessions BIGINT NOT NULL,
  PRIMARY KEY (skill_a, skill_b)
);
CREATE INDEX idx_skill_pairs_b ON skill_pairs (skill_b);

-- Analytics outputs ------------------------------------------------------------
CREATE TABLE skill_anomalies (
  id              BIGSERIAL PRIMARY KEY,
  skill_id        BIGINT NOT NULL REFERENCES skills(id),
  detected_at     BIGINT NOT NULL,
  metric          TEXT NOT NULL CHECK (metric IN ('success_rate', 'duration')),
  baseline_value  DOUBLE PRECISION NOT NULL,
  observed_value  DOUBLE PRECISION NOT NULL,
  deviation_score DOUBLE PRECISION NOT NULL,
  direction       TEXT NOT NULL CHECK (direction IN ('up', 'down')),
  severity        TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  window_hours    INTEGER NOT NULL
);
CREATE INDEX idx_anomalies_detected ON skill_anomalies (detected_at);

CREATE TABLE community_baselines (
  skill_id                 BIGINT PRIMARY KEY REFERENCES skills(id),
  computed_at              BIGINT NOT NULL,
  invocations              BIGINT NOT NULL,
  users                    BIGINT NOT NULL,
  success_rate             DOUBLE PRECISION NOT NULL,
  mean_duration_ms         DOUBLE PRECISION NOT NULL,
  p50_duration_ms          DOUBLE PRECISION NOT NULL,
  p95_duration_ms          DOUBLE PRECISION NOT NULL,
  effectiveness_percentile DOUBLE PRECISION NOT NULL
);

-- A/B testing ----------------------------------------------------------------------
CREATE TABLE ab_experiments (
  id              BIGSERIAL PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE,
  description     TEXT NOT NULL DEFAULT '',
  variants        TEXT NOT NULL,   -- JSON array of variant names
  traffic_split   TEXT NOT NULL,   -- JSON array of weights summing to 1
  metric          TEXT NOT NULL,
  min_sample_size INTEGER NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('running', 'stopped')),
  created_at      BIGINT NOT NULL
);

CREATE TABLE ab_assignments (
  experiment_id BIGINT NOT NULL REFERENCES ab_experiments(id) ON DELETE CASCADE,
  user_hash     TEXT NOT NULL,
  variant       TEXT NOT NULL,
  assigned_at   BIGINT NOT NULL,
  PRIMARY KEY (experiment_id, user_hash)
);

CREATE TABLE ab_outcomes (
  id            BIGSERIAL PRIMARY KEY,
  experiment_id BIGINT NOT NULL REFERENCES ab_experiments(id) ON DELETE CASCADE,
  user_hash     TEXT NOT NULL,
  variant       TEXT NOT NULL,
  value         DOUBLE PRECISION NOT NULL,
  recorded_at   BIGINT NOT NULL
);
CREATE INDEX idx_ab_outcomes_experiment ON ab_outcomes (experiment_id, variant);

-- Seed data: taxonomy and dependency rules -------------------------------------
INSERT INTO skill_categories (id, name, description) VALUES
  (1, 'code_quality',  'Linting, formatting, refactoring and review of source code'),
  (2, 'testing',       'Writing and running tests, coverage and test diagnostics'),
  (3, 'documentation', 'READMEs, API docs, changelogs and explanations'),
  (4, 'deployment',    'Builds, releases, infrastructure and rollouts'),
  (5, 'security',      'Audits, secret scanning and dependency vulnerabilities'),
  (6, 'performance',   'Profiling, benchmarking and optimisation');

INSERT INTO skill_modalities (id, name, description) VALUES
  (1, 'code',         'Reads or writes source code'),
  (2, 'diagnostics',  'Works from logs, errors, traces and metrics'),
  (3, 'test_results', 'Works from test runner and coverage output'),
  (4, 'documents',    'Reads or writes prose documents');

INSERT INTO skill_dependency_rules (skill_name, requires, kind, description) VALUES
  ('deploy',          'run-tests',     'requires',   'Deployments should follow a passing test run'),
  ('release-notes',   'changelog',     'recommends', 'Release notes are drafted from the changelog'),
  ('refactor',        'run-tests',     'recommends', 'Refactors should be verified by tests'),
  ('security-audit',  'dependency-scan','recommends','Audits start from a dependency scan');

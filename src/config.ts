/**
 * Configuration is parsed once, here, from CLI flags and environment
 * variables. Nothing else in the code base reads `process.env`.
 */
import os from 'node:os';
import path from 'node:path';
import { AppError } from './errors.js';
import type { LogLevel } from './logger.js';
import { decimalInt, decimalNumber } from './decimal.js';

export interface RateLimitConfig {
  /** Bucket size: the burst a single client may make. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** Which real-time parts the server runs (see realtime/options.ts for the rest, with defaults). */
export interface RealtimeConfig {
  /** Serve /metrics on the main HTTP port (and on the dedicated metrics port when configured). */
  metrics: boolean;
  /** Serve the WebSocket live stream at /ws. */
  ws: boolean;
  /** Serve the live web dashboard at / (it reads its data from /ws). */
  dashboard: boolean;
  /** Most WebSocket clients connected at once; further upgrades get HTTP 503. */
  wsMaxClients: number;
  /** Require the access token on loopback binds too, on every route but /health and the dashboard page (not only /ws, whatever the name); a non-loopback bind always does. */
  wsRequireToken: boolean;
  /**
   * Extra browser origins allowed (e.g. "https://grafana.example.com"). Same-origin pages
   * (the dashboard itself) and clients that send no Origin header (scripts, CLIs) are always allowed.
   */
  wsAllowedOrigins: string[];
}

/** Scheduled anomaly detection inside the server (see insights/anomaly-service.ts). */
interface DetectionConfig {
  /** Every how many ms the server runs detection; null: never (only the tool detects). */
  intervalMs: number | null;
  /** Recent window compared with its baseline, in hours. */
  windowHours: number;
  /** Baseline before the recent window, in days. */
  baselineDays: number;
  /** |z| at or above which a deviation is reported (critical at 1.5 ×). */
  threshold: number;
}

/**
 * Where the URL of a server to connect to (PostgreSQL, Redis) came from, for the messages that say it
 * cannot be reached: they name the setting to fix and the server, never the password.
 */
export interface UrlSource {
  /** The flag or the environment variable that set it: `--store`, `SESSION_BUDDY_STORE`, `--pubsub`, `SESSION_BUDDY_PUBSUB`. */
  setBy: string;
  /** The `host:port` it points at (the protocol's default port when it names none); '' when the URL does not parse. */
  address: string;
  /** The URL with any password masked. */
  redacted: string;
}

/** Where the data lives: the embedded SQLite file (default) or a shared PostgreSQL database. */
type StoreConfig = { kind: 'sqlite' } | { kind: 'postgres'; url: string; poolSize: number; source: UrlSource };

/** Cross-instance fan-out of live events (Redis pub/sub). */
interface PubsubConfig {
  url: string;
  /** Channel name; null: the fan-out's default. Instances that should see each other use the same one. */
  channel: string | null;
  source: UrlSource;
}

/**
 * The `--store` value that names this configuration's store to another process of this installation
 * (the commands install-hooks and mcp-config write, the import a hook starts): null for the default,
 * the SQLite file in the data directory; `sqlite:<absolute path>` for another file; the PostgreSQL
 * URL as given (with its password, when it holds one).
 */
export function storeFlagValue(config: Pick<Config, 'dataDir' | 'dbPath' | 'store'>): string | null {
  if (config.store.kind === 'postgres') return config.store.url;
  return config.dbPath === path.join(config.dataDir, DB_FILE) ? null : `sqlite:${config.dbPath}`;
}

/**
 * What to tell a user whose store URL holds a password (in the URL or as `?password=`), when a command
 * writes it (storeFlagValue) into a file of theirs; null when it holds none.
 */
export function storePasswordNote(config: Pick<Config, 'store'>, file: string): string | null {
  if (config.store.kind !== 'postgres' || redactUrl(config.store.url) === config.store.url) return null;
  return `the store URL's password is written into ${file}; to keep it out, give --store a URL without it and put the password in ~/.pgpass or PGPASSWORD where Claude Code runs`;
}

export interface Config {
  dataDir: string;
  /** The SQLite file (the default store, and what the SQLite-only maintenance commands work on). */
  dbPath: string;
  store: StoreConfig;
  /** null: no fan-out (events stay in this process). */
  pubsub: PubsubConfig | null;
  host: string;
  port: number;
  /** Extra dedicated Prometheus port; null when not requested. */
  metricsPort: number | null;
  logLevel: LogLevel;
  /** SQLite `synchronous` pragma in WAL mode: NORMAL survives process crashes, FULL also power loss. */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  rateLimit: RateLimitConfig;
  /** Largest accepted `metadata` JSON, in bytes. */
  maxMetadataBytes: number;
  /** Largest accepted OTLP request body (/v1/logs, /v1/metrics), compressed and decompressed, in bytes. */
  otlpMaxBodyBytes: number;
  /**
   * The user that rows from Claude Code's telemetry are stored under (hashed), in place of the
   * event's own `user.id`: by default, on a loopback bind, the OS account name, the user the hook
   * and `import` default to, so one person's calls are one user whichever source stored them;
   * null (`event`, and the default on other binds, where many people send telemetry): the event's id.
   */
  telemetryUser: string | null;
  /** Database size past which `compact` is recommended, in bytes. */
  compactThresholdBytes: number;
  /** Raw invocations older than this many days are archived by `archive` (rollups are kept). */
  retentionDays: number;
  /** Whether checkpoints run `npm audit` / `pip-audit` (they need the package registry). */
  dependencyAudit: 'auto' | 'off';
  realtime: RealtimeConfig;
  /** Serve /metrics without the access token on non-loopback binds (for a Prometheus that cannot send one). */
  metricsPublic: boolean;
  /** Claude Code configuration directories (`CLAUDE_CONFIG_DIR`, comma-separated; default ~/.claude): `import` reads <dir>/projects. */
  claudeConfigDirs: string[];
  detection: DetectionConfig;
  /** Every how many ms the server recomputes the community baselines; null: never (only the tool does). */
  baselinesRefreshMs: number | null;
  /**
   * An invocation recorded more than this many ms after it happened is history
   * (backfill): stored and analysed, but not live (no live Prometheus series, no /ws push).
   */
  backfillAfterMs: number;
  mcpSessions: McpSessionConfig;
  /** Search reflections by meaning with the bundled sentence-embedding model (loaded in a worker on the first search); false: keyword search only. */
  embeddings: boolean;
  /** The user's home directory (`~/.claude.json` of the skill inventory). */
  homeDir: string;
  /**
   * k: the skill report shows figures across users (community figures) to a per-user caller only when at least
   * this many users contribute, collaborative recommendations name only skills this many (similar) users used, and
   * success predictions give figures across users only of skills this many users used (generalising the others).
   */
  communityMinUsers: number;
}

/** Limits of MCP sessions over HTTP (see server/mcp-sessions.ts). */
interface McpSessionConfig {
  /** A session with no request for this long is closed. */
  idleMs: number;
  /** Sessions open at once; at the cap the least recently used idle one is closed for a new client. */
  maxSessions: number;
  /** Sessions one client (token user, or remote address) holds at once; more close its own least recently used. */
  maxPerClient: number;
  /** Sessions one client may open: a burst, then so many per second (further `initialize` calls get 429). */
  creationRate: RateLimitConfig;
}

/** Flags the CLI may pass; each overrides its environment variable. */
export interface ConfigFlags {
  dataDir?: string;
  /** `sqlite:PATH` or `postgres://...`. */
  store?: string;
  /** `redis://...` or `none`. */
  pubsub?: string;
  host?: string;
  port?: string | number;
  metricsPort?: string | number;
  logLevel?: string;
  /** `--telemetry-user <id>`, or `event` for the event's own user id. */
  telemetryUser?: string;
  /** Commander's --no-x flags arrive as false; true/undefined mean "not turned off here". */
  metrics?: boolean;
  ws?: boolean;
  dashboard?: boolean;
  wsMaxClients?: string | number;
  wsRequireToken?: boolean;
  wsAllowedOrigins?: string;
  metricsPublic?: boolean;
  /** --no-detect arrives as false: no scheduled anomaly detection. */
  detect?: boolean;
}

export interface ConfigSource {
  flags?: ConfigFlags;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The user's home directory (default: HOME from env, else the OS account's home). */
  home?: string;
}

export const ENV = {
  dataDir: 'SESSION_BUDDY_DATA_DIR',
  store: 'SESSION_BUDDY_STORE',
  pgPoolSize: 'SESSION_BUDDY_PG_POOL_SIZE',
  pubsub: 'SESSION_BUDDY_PUBSUB',
  pubsubChannel: 'SESSION_BUDDY_PUBSUB_CHANNEL',
  host: 'SESSION_BUDDY_HOST',
  telemetryUser: 'SESSION_BUDDY_TELEMETRY_USER',
  port: 'SESSION_BUDDY_PORT',
  metricsPort: 'SESSION_BUDDY_METRICS_PORT',
  logLevel: 'SESSION_BUDDY_LOG_LEVEL',
  synchronous: 'SESSION_BUDDY_SQLITE_SYNCHRONOUS',
  rateLimit: 'SESSION_BUDDY_RATE_LIMIT',
  compactThresholdMb: 'SESSION_BUDDY_COMPACT_THRESHOLD_MB',
  retentionDays: 'SESSION_BUDDY_RETENTION_DAYS',
  dependencyAudit: 'SESSION_BUDDY_AUDIT',
  metrics: 'SESSION_BUDDY_METRICS',
  ws: 'SESSION_BUDDY_WS',
  dashboard: 'SESSION_BUDDY_DASHBOARD',
  wsMaxClients: 'SESSION_BUDDY_WS_MAX_CLIENTS',
  wsRequireToken: 'SESSION_BUDDY_WS_REQUIRE_TOKEN',
  wsAllowedOrigins: 'SESSION_BUDDY_WS_ALLOWED_ORIGINS',
  metricsPublic: 'SESSION_BUDDY_METRICS_PUBLIC',
  claudeConfigDir: 'CLAUDE_CONFIG_DIR',
  detectInterval: 'SESSION_BUDDY_DETECT_INTERVAL',
  detectWindowHours: 'SESSION_BUDDY_DETECT_WINDOW_HOURS',
  detectBaselineDays: 'SESSION_BUDDY_DETECT_BASELINE_DAYS',
  detectThreshold: 'SESSION_BUDDY_DETECT_THRESHOLD',
  baselinesRefresh: 'SESSION_BUDDY_BASELINES_REFRESH',
  backfillAfterMin: 'SESSION_BUDDY_BACKFILL_AFTER_MIN',
  mcpIdleMinutes: 'SESSION_BUDDY_MCP_IDLE_MINUTES',
  mcpMaxSessions: 'SESSION_BUDDY_MCP_MAX_SESSIONS',
  mcpMaxSessionsPerClient: 'SESSION_BUDDY_MCP_MAX_SESSIONS_PER_CLIENT',
  mcpSessionRate: 'SESSION_BUDDY_MCP_SESSION_RATE',
  embeddings: 'SESSION_BUDDY_EMBEDDINGS',
  communityMinUsers: 'SESSION_BUDDY_COMMUNITY_MIN_USERS',
  /**
   * Internal, set by `start` for the background server it spawns: which of the variables it
   * forwards (`store`, `pubsub`, comma-separated) the user typed as flags, so that messages name the flag.
   */
  typedFlags: 'SESSION_BUDDY_TYPED_FLAGS',
} as const;

/** Defaults of the scheduled work: detection every 60 s over the last 3 h against the 7 days before. */
const DEFAULT_DETECT_INTERVAL_S = 60;
const DEFAULT_DETECT_WINDOW_HOURS = 3;
const DEFAULT_BASELINES_REFRESH_S = 900;
const DEFAULT_BACKFILL_AFTER_MIN = 5;
/** k of the skill report: community figures need at least this many contributing users. */
const DEFAULT_COMMUNITY_MIN_USERS = 5;

/** The data directory of releases before 0.2, relative to the working directory. */
export const LEGACY_DATA_DIR = '.session-buddy';
const DATA_DIR_NAME = 'session-buddy';
const DEFAULT_PORT = 8678;
export const DB_FILE = 'session-buddy.db';
const DEFAULT_PG_POOL_SIZE = 10;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function parseConfig(source: ConfigSource = {}): Config {
  const flags = source.flags ?? {};
  const env = source.env ?? {};
  const cwd = source.cwd ?? process.cwd();

  // An empty --data-dir is a mistake (an unset variable in a script), not the default directory;
  // an empty environment variable is unset, as with every other variable here.
  if (flags.dataDir !== undefined && flags.dataDir.trim() === '') throw AppError.invalid('data-dir', 'must not be empty');
  const explicit = flags.dataDir ?? env[ENV.dataDir];
  const dataDir = explicit ? path.resolve(cwd, expandHome(explicit, source.home ?? env.HOME)) : defaultDataDir(env, source.home);
  // Which flag or variable set a URL: messages about a server that cannot be reached name it.
  const typed = new Set((env[ENV.typedFlags] ?? '').split(','));
  const setBy = (key: 'store' | 'pubsub') => (flags[key] !== undefined || typed.has(key) ? `--${key}` : ENV[key]);
  const store = parseStore(
    flags.store ?? env[ENV.store],
    cwd,
    parsePositiveInt(ENV.pgPoolSize, env[ENV.pgPoolSize], DEFAULT_PG_POOL_SIZE, MAX_PG_POOL_SIZE),
    setBy('store'),
  );
  // An empty variable is unset (as every other here): '' as a host would bind every interface.
  const host = flags.host ?? (env[ENV.host] || undefined) ?? '127.0.0.1';
  const port = parsePort('port', flags.port ?? env[ENV.port], DEFAULT_PORT, true);
  const metricsRaw = flags.metricsPort ?? env[ENV.metricsPort];
  const metricsPort = metricsRaw === undefined ? null : parsePort('metrics-port', metricsRaw, 9090, true);
  // Both on one port: the second listener would fail to bind after the first started ("already in use").
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === port) {
    throw AppError.invalid('metrics-port', `must differ from the HTTP port (${port})`);
  }

  const logLevel = (flags.logLevel ?? (env[ENV.logLevel] || undefined) ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw AppError.invalid('log-level', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const sync = (env[ENV.synchronous] || 'NORMAL').toUpperCase();
  if (sync !== 'NORMAL' && sync !== 'FULL') {
    throw AppError.invalid(ENV.synchronous, 'must be NORMAL or FULL');
  }

  return {
    dataDir,
    dbPath: store.sqlitePath ?? path.join(dataDir, DB_FILE),
    store: store.store,
    pubsub: parsePubsub(flags.pubsub ?? env[ENV.pubsub], env[ENV.pubsubChannel], setBy('pubsub')),
    host,
    port,
    metricsPort,
    logLevel,
    sqliteSynchronous: sync,
    rateLimit: parseRateLimit(env[ENV.rateLimit], ENV.rateLimit, { capacity: 200, refillPerSecond: 100 }),
    maxMetadataBytes: 8 * 1024,
    otlpMaxBodyBytes: 4 * 1024 * 1024,
    telemetryUser: parseTelemetryUser(flags.telemetryUser ?? env[ENV.telemetryUser], host),
    compactThresholdBytes: parseNumberIn(ENV.compactThresholdMb, env[ENV.compactThresholdMb], 256, COMPACT_THRESHOLD_MB) * 1024 * 1024,
    retentionDays: parseRetentionDays(env[ENV.retentionDays]),
    dependencyAudit: parseAudit(env[ENV.dependencyAudit]),
    metricsPublic: flags.metricsPublic === true || parseBool(ENV.metricsPublic, env[ENV.metricsPublic], false),
    claudeConfigDirs: parseClaudeConfigDirs(env[ENV.claudeConfigDir], cwd),
    detection: {
      intervalMs: flags.detect === false ? null : secondsOrOff(ENV.detectInterval, env[ENV.detectInterval], DEFAULT_DETECT_INTERVAL_S),
      windowHours: parsePositiveInt(ENV.detectWindowHours, env[ENV.detectWindowHours], DEFAULT_DETECT_WINDOW_HOURS, MAX_DETECT_WINDOW_HOURS),
      baselineDays: parsePositiveInt(ENV.detectBaselineDays, env[ENV.detectBaselineDays], 7, MAX_DETECT_BASELINE_DAYS),
      threshold: parseNumberIn(ENV.detectThreshold, env[ENV.detectThreshold], 2, DETECT_THRESHOLD),
    },
    baselinesRefreshMs: secondsOrOff(ENV.baselinesRefresh, env[ENV.baselinesRefresh], DEFAULT_BASELINES_REFRESH_S),
    backfillAfterMs: Math.round(parseNumberIn(ENV.backfillAfterMin, env[ENV.backfillAfterMin], DEFAULT_BACKFILL_AFTER_MIN, BACKFILL_AFTER_MIN) * 60_000),
    mcpSessions: {
      idleMs: Math.round(parseNumberIn(ENV.mcpIdleMinutes, env[ENV.mcpIdleMinutes], 10, MCP_IDLE_MINUTES) * 60_000),
      maxSessions: parsePositiveInt(ENV.mcpMaxSessions, env[ENV.mcpMaxSessions], 200, MAX_MCP_SESSIONS),
      maxPerClient: parsePositiveInt(ENV.mcpMaxSessionsPerClient, env[ENV.mcpMaxSessionsPerClient], 50, MAX_MCP_SESSIONS),
      creationRate: parseRateLimit(env[ENV.mcpSessionRate], ENV.mcpSessionRate, { capacity: 30, refillPerSecond: 5 }),
    },
    embeddings: parseBool(ENV.embeddings, env[ENV.embeddings], true),
    homeDir: homeDir(env, source.home),
    communityMinUsers: parsePositiveInt(ENV.communityMinUsers, env[ENV.communityMinUsers], DEFAULT_COMMUNITY_MIN_USERS, MAX_COMMUNITY_MIN_USERS),
    realtime: {
      metrics: flags.metrics === false ? false : parseBool(ENV.metrics, env[ENV.metrics], true),
      ws: flags.ws === false ? false : parseBool(ENV.ws, env[ENV.ws], true),
      dashboard: flags.dashboard === false ? false : parseBool(ENV.dashboard, env[ENV.dashboard], true),
      wsMaxClients: parsePositiveInt('ws-max-clients', flags.wsMaxClients ?? env[ENV.wsMaxClients], 1000, MAX_WS_CLIENTS),
      wsRequireToken: flags.wsRequireToken === true || parseBool(ENV.wsRequireToken, env[ENV.wsRequireToken], false),
      wsAllowedOrigins: (flags.wsAllowedOrigins ?? env[ENV.wsAllowedOrigins] ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    },
  };
}

/** `CLAUDE_CONFIG_DIR`: one directory or a comma-separated list (a leading `~` is the home directory); unset or empty: ~/.claude. */
function parseClaudeConfigDirs(raw: string | undefined, cwd: string): string[] {
  const dirs = (raw ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => path.resolve(cwd, d === '~' || d.startsWith('~/') ? path.join(os.homedir(), d.slice(1)) : d));
  return dirs.length > 0 ? [...new Set(dirs)] : [path.join(os.homedir(), '.claude')];
}

/**
 * One data directory per user, whatever the working directory:
 * `$XDG_DATA_HOME/session-buddy` when XDG_DATA_HOME is set (absolute), else
 * `~/.session-buddy`. The server, the stdio server, the hook, `import` and
 * every CLI command agree on it, so a hook fired in any project writes where
 * the dashboard reads.
 */
/** The data directory used when neither --data-dir nor SESSION_BUDDY_DATA_DIR names one. */
export function defaultDataDir(env: Record<string, string | undefined> = {}, home?: string): string {
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, DATA_DIR_NAME);
  return path.join(homeDir(env, home), `.${DATA_DIR_NAME}`);
}

function homeDir(env: Record<string, string | undefined>, home?: string): string {
  const h = home ?? env.HOME;
  return h && path.isAbsolute(h) ? h : os.homedir();
}

/** `~` and `~/x` as a shell would expand them (a value quoted in a config file arrives unexpanded). */
function expandHome(p: string, home: string | undefined): string {
  if (p !== '~' && !p.startsWith('~/')) return p;
  const h = home && path.isAbsolute(home) ? home : os.homedir();
  return path.join(h, p.slice(1));
}

/** `sqlite:PATH` (relative to cwd), `postgres://…` / `postgresql://…`; empty: the default SQLite file. */
function parseStore(raw: string | undefined, cwd: string, poolSize: number, setBy: string): { store: StoreConfig; sqlitePath: string | null } {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'sqlite') return { store: { kind: 'sqlite' }, sqlitePath: null };
  if (/^postgres(ql)?:\/\//i.test(value)) {
    try {
      new URL(value);
    } catch {
      throw AppError.invalid('store', 'is not a valid postgres:// URL');
    }
    return { store: { kind: 'postgres', url: value, poolSize, source: urlSource(setBy, value) }, sqlitePath: null };
  }
  const m = /^sqlite:(?:\/\/)?(.+)$/i.exec(value);
  if (m) return { store: { kind: 'sqlite' }, sqlitePath: path.resolve(cwd, m[1]!) };
  throw AppError.invalid('store', 'must be sqlite:PATH or a postgres:// URL');
}

/** `redis://…` / `rediss://…`; empty or `none`: no fan-out. */
function parsePubsub(raw: string | undefined, channel: string | undefined, setBy: string): PubsubConfig | null {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'none') return null;
  if (!/^rediss?:\/\//i.test(value)) throw AppError.invalid('pubsub', 'must be a redis:// URL or none');
  try {
    new URL(value);
  } catch {
    throw AppError.invalid('pubsub', 'is not a valid redis:// URL');
  }
  const ch = channel?.trim() ?? '';
  return { url: value, channel: ch === '' ? null : ch, source: urlSource(setBy, value) };
}

/** Where a postgres:// or redis:// URL set by `setBy` points (a URL that does not parse names no address). */
export function urlSource(setBy: string, url: string): UrlSource {
  let address = '';
  try {
    const u = new URL(url);
    const redis = /^rediss?:$/i.test(u.protocol);
    // The clients' defaults when the URL names no host or port (pg's `host` parameter may name a socket directory).
    const host = u.hostname || (redis ? null : u.searchParams.get('host')) || 'localhost';
    address = `${host}:${u.port || (redis ? 6379 : 5432)}`;
  } catch {
    // named by the setting alone
  }
  return { setBy, address, redacted: redactUrl(url) };
}

/** The URL with any password masked (in its user information, or a `password` parameter), for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]*)@/, '//$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * The server a URL points at and the setting that chose it, as messages name them:
 * `db.internal:5432 (from --store postgres://sb:***@db.internal/sb)`, or
 * `… (from SESSION_BUDDY_STORE=postgres://…)` when the environment set it.
 */
export function describeUrlSource(source: UrlSource): string {
  const setting = `from ${source.setBy}${source.setBy.startsWith('--') ? ' ' : '='}${source.redacted}`;
  return source.address ? `${source.address} (${setting})` : setting;
}

function parseBool(field: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw AppError.invalid(field, 'must be 1/0, true/false, yes/no or on/off');
}

function parsePositiveInt(field: string, raw: string | number | undefined, fallback: number, max?: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : decimalInt(raw);
  if (!Number.isSafeInteger(n) || n < 1 || (max !== undefined && n > max)) {
    throw AppError.invalid(field, max === undefined ? 'must be a positive integer' : `must be an integer between 1 and ${max}`);
  }
  return n;
}

/**
 * The most `--ws-max-clients`: each client holds a socket, a file descriptor, and Linux lets no
 * process open more than fs.nr_open (1048576 by default) whatever its limit is raised to.
 */
const MAX_WS_CLIENTS = 1_048_576;

/**
 * The most PostgreSQL connections one process opens: the server's max_connections defaults to 100 for
 * all clients together, and a pool past 1000 is a typo, not a setting.
 */
const MAX_PG_POOL_SIZE = 1000;

/** The most open MCP sessions (in all, and per client): each holds a transport and a server; 100,000 is past any real use. */
const MAX_MCP_SESSIONS = 100_000;

/** The largest k: past a million users every figure across users would be withheld from any team. */
const MAX_COMMUNITY_MIN_USERS = 1_000_000;

/** The values a numeric variable may take, both ends included, and what its numbers count. */
interface NumberRange {
  min: number;
  max: number;
  unit: string;
}

function rangeText(r: NumberRange): string {
  return `a number of ${r.unit} from ${r.min} to ${r.max}`;
}

/** A decimal number within `range`; the error names the variable and the range. */
function parseNumberIn(field: string, raw: string | undefined, fallback: number, range: NumberRange): number {
  if (raw === undefined || raw === '') return fallback;
  const n = decimalNumber(raw);
  if (!(n >= range.min && n <= range.max)) throw AppError.invalid(field, `must be ${rangeText(range)}`);
  return n;
}

/**
 * Seconds between runs of scheduled work (`SESSION_BUDDY_DETECT_INTERVAL`, `_BASELINES_REFRESH`).
 * At least 1 ms: less rounds to a 0 ms timer, which runs without pause and cuts time into slots of
 * no length. At most a day: work rarer than daily is better turned off (0/off) and run by hand
 * (detect_anomalies, update_community_baselines), and a much larger value would pass Node's timer
 * limit (2^31 - 1 ms, 24.8 days), past which a timer fires after 1 ms, i.e. continuously.
 */
const SCHEDULE_SECONDS: NumberRange = { min: 0.001, max: 86_400, unit: 'seconds' };

/** Seconds as ms; 0 or `off`: null (turned off). */
function secondsOrOff(field: string, raw: string | undefined, fallbackSeconds: number): number | null {
  if (raw === undefined || raw === '') return fallbackSeconds * 1000;
  if (raw === '0' || /^off$/i.test(raw)) return null;
  const n = decimalNumber(raw);
  if (!(n >= SCHEDULE_SECONDS.min && n <= SCHEDULE_SECONDS.max)) throw AppError.invalid(field, `must be ${rangeText(SCHEDULE_SECONDS)}, or 0/off`);
  return Math.round(n * 1000);
}

/**
 * `SESSION_BUDDY_DETECT_THRESHOLD`, the |z| at which scheduled detection reports a deviation: the
 * bounds of detect_anomalies' `threshold`. Below 0.5 most hours of ordinary noise would be
 * anomalies; past 10 next to none is (critical starts at 1.5 × the threshold, 15).
 */
const DETECT_THRESHOLD: NumberRange = { min: 0.5, max: 10, unit: 'standard deviations' };
/** Hours and days of scheduled detection: the bounds of detect_anomalies' `time_window_hours` (720 h, 30 days) and `baseline_days` (90). */
const MAX_DETECT_WINDOW_HOURS = 720;
const MAX_DETECT_BASELINE_DAYS = 90;

/**
 * `SESSION_BUDDY_BACKFILL_AFTER_MIN`: an invocation recorded this many minutes after it happened is
 * history. At least 6 s (0.1 min): a hook's call reaches the store a few seconds late (a process
 * start, maybe the spool), so less would count live calls as history. At most a day: an invocation recorded a day late is
 * history by any measure, and more would push yesterday's imported transcripts to the live stream.
 */
const BACKFILL_AFTER_MIN: NumberRange = { min: 0.1, max: 1440, unit: 'minutes' };

/**
 * `SESSION_BUDDY_MCP_IDLE_MINUTES`: an MCP session over HTTP idle this long is closed. At least a
 * minute: a client idles between calls while its model thinks, and a shorter limit closes sessions
 * in use. At most a day: an idle session keeps its server in memory and holds one of the
 * SESSION_BUDDY_MCP_MAX_SESSIONS places; one idle for a day is abandoned.
 */
const MCP_IDLE_MINUTES: NumberRange = { min: 1, max: 1440, unit: 'minutes' };

/**
 * `SESSION_BUDDY_COMPACT_THRESHOLD_MB`: the database size past which (strictly above: pastArchiveThreshold)
 * `doctor` warns and the checkpoint advises `archive` then `compact`. From 0.01 MiB (10
 * KiB, below any database: always warns, for trying it out) to 16777216 MiB (16 TiB, the largest
 * SQLite file at the default 4 KiB page, 2^32 pages): past it the warning could never show.
 */
const COMPACT_THRESHOLD_MB: NumberRange = { min: 0.01, max: 16_777_216, unit: 'MiB' };

function parseAudit(raw: string | undefined): 'auto' | 'off' {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'off') return 'off';
  throw AppError.invalid(ENV.dependencyAudit, 'must be auto or off');
}

function parsePort(field: string, raw: string | number | undefined, fallback: number, allowZero: boolean): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : decimalInt(raw);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1) || n > 65535) {
    throw AppError.invalid(field, 'must be an integer port between 0 and 65535');
  }
  return n;
}

/** Days `archive` keeps by default: at most 100 years (a cutoff further back is no date a row can have; `--older-than` has the same bound). */
function parseRetentionDays(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 365;
  const days = decimalNumber(raw);
  if (!(days > 0)) throw AppError.invalid(ENV.retentionDays, 'must be a positive number of days');
  if (days > 36_500) throw AppError.invalid(ENV.retentionDays, 'must be at most 36500 (100 years)');
  return days;
}

/**
 * The bounds of a token bucket (`SESSION_BUDDY_RATE_LIMIT`, `_MCP_SESSION_RATE`). A burst and a
 * refill of a million are past anything one Node process serves (some thousands of calls a second),
 * so more limits nothing and is a typo; a refill below 0.001 per second (one call in 17 minutes)
 * would lock a client out for hours after its burst, and its Retry-After would be meaningless.
 */
const RATE_BURST_MAX = 1_000_000;
const RATE_REFILL: NumberRange = { min: 0.001, max: 1_000_000, unit: 'calls per second' };

/** `"<capacity>/<refillPerSecond>"`, e.g. `"200/50"`: bursts of 200 calls, 50 per second sustained. */
function parseRateLimit(raw: string | undefined, field: string, fallback: RateLimitConfig): RateLimitConfig {
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(raw.trim());
  if (!m) throw AppError.invalid(field, `must look like <capacity>/<per-second>, e.g. ${fallback.capacity}/${fallback.refillPerSecond}`);
  const capacity = Number(m[1]);
  const refillPerSecond = Number(m[2]);
  if (!(capacity >= 1 && capacity <= RATE_BURST_MAX) || !(refillPerSecond >= RATE_REFILL.min && refillPerSecond <= RATE_REFILL.max)) {
    throw AppError.invalid(field, `the burst must be an integer from 1 to ${RATE_BURST_MAX} and the per-second rate ${rangeText(RATE_REFILL)}`);
  }
  return { capacity, refillPerSecond };
}

/** Whether a bind address is loopback (only this machine can connect). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/** The telemetry user (see Config.telemetryUser): `event` is null; the default depends on the bind. */
function parseTelemetryUser(raw: string | undefined, host: string): string | null {
  if (raw !== undefined) {
    const value = raw.trim();
    if (value === '') throw AppError.invalid('telemetry-user', 'must be a user id, or "event" for the id each event carries');
    return value === 'event' ? null : value;
  }
  if (!isLoopback(host)) return null;
  try {
    return os.userInfo().username || null;
  } catch {
    return null;
  }
}

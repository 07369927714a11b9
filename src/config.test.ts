import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { describeUrlSource, parseConfig } from './config.js';

const cwd = '/srv/project';

describe('store and pub/sub configuration', () => {
  it('defaults to the SQLite file in the data directory and no fan-out', () => {
    const c = parseConfig({ cwd, env: { HOME: '/home/ann' } });
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.equal(c.dbPath, '/home/ann/.session-buddy/session-buddy.db');
    assert.equal(c.pubsub, null);
  });
});

describe('data directory', () => {
  it('is one per user, never in the working directory', () => {
    assert.equal(parseConfig({ cwd: '/a', env: { HOME: '/home/ann' } }).dataDir, '/home/ann/.session-buddy');
    assert.equal(parseConfig({ cwd: '/b', env: { HOME: '/home/ann' } }).dataDir, '/home/ann/.session-buddy');
    assert.equal(parseConfig({ cwd, env: { HOME: '/home/ann', XDG_DATA_HOME: '/home/ann/.local/share' } }).dataDir, '/home/ann/.local/share/session-buddy');
    // A relative XDG_DATA_HOME is invalid per the spec and ignored.
    assert.equal(parseConfig({ cwd, env: { HOME: '/home/ann', XDG_DATA_HOME: 'rel' } }).dataDir, '/home/ann/.session-buddy');
  });

  it('is overridden by SESSION_BUDDY_DATA_DIR and --data-dir (relative to cwd, ~ expanded)', () => {
    const env = { HOME: '/home/ann', SESSION_BUDDY_DATA_DIR: 'env-dir' };
    assert.equal(parseConfig({ cwd, env }).dataDir, '/srv/project/env-dir');
    assert.equal(parseConfig({ cwd, env, flags: { dataDir: '/x/y' } }).dataDir, '/x/y');
    assert.equal(parseConfig({ cwd, env, flags: { dataDir: '~/sb' } }).dataDir, '/home/ann/sb');
  });

  it('refuses an empty --data-dir (an unset variable in a script) instead of using the default; an empty variable is unset', () => {
    const env = { HOME: '/home/ann' };
    assert.throws(() => parseConfig({ cwd, env, flags: { dataDir: '' } }), { code: 'INVALID_INPUT', message: 'data-dir: must not be empty' });
    assert.throws(() => parseConfig({ cwd, env, flags: { dataDir: '  ' } }), { message: 'data-dir: must not be empty' });
    assert.equal(parseConfig({ cwd, env: { ...env, SESSION_BUDDY_DATA_DIR: '' } }).dataDir, '/home/ann/.session-buddy');
  });

  it('takes sqlite:PATH relative to the working directory', () => {
    const c = parseConfig({ cwd, flags: { store: 'sqlite:data/team.db' } });
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.equal(c.dbPath, path.join(cwd, 'data', 'team.db'));
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_STORE: 'sqlite:/abs/x.db' } }).dbPath, '/abs/x.db');
  });

  it('takes a postgres URL from the flag (over the environment) with the pool size from the environment', () => {
    const c = parseConfig({
      cwd,
      flags: { store: 'postgres://sb@db.internal:5432/sb' },
      env: { SESSION_BUDDY_STORE: 'sqlite:other.db', SESSION_BUDDY_PG_POOL_SIZE: '16' },
    });
    assert.deepEqual(c.store, {
      kind: 'postgres',
      url: 'postgres://sb@db.internal:5432/sb',
      poolSize: 16,
      source: { setBy: '--store', address: 'db.internal:5432', redacted: 'postgres://sb@db.internal:5432/sb' },
    });
    assert.deepEqual(parseConfig({ cwd, env: { SESSION_BUDDY_STORE: 'postgresql://h/db' } }).store, {
      kind: 'postgres',
      url: 'postgresql://h/db',
      poolSize: 10,
      source: { setBy: 'SESSION_BUDDY_STORE', address: 'h:5432', redacted: 'postgresql://h/db' },
    });
  });

  it('takes a redis URL (and channel) for the fan-out; none turns it off', () => {
    assert.deepEqual(parseConfig({ cwd, flags: { pubsub: 'redis://127.0.0.1:6379' } }).pubsub, {
      url: 'redis://127.0.0.1:6379',
      channel: null,
      source: { setBy: '--pubsub', address: '127.0.0.1:6379', redacted: 'redis://127.0.0.1:6379' },
    });
    assert.deepEqual(parseConfig({ cwd, env: { SESSION_BUDDY_PUBSUB: 'rediss://r:6380', SESSION_BUDDY_PUBSUB_CHANNEL: 'team-a' } }).pubsub, {
      url: 'rediss://r:6380',
      channel: 'team-a',
      source: { setBy: 'SESSION_BUDDY_PUBSUB', address: 'r:6380', redacted: 'rediss://r:6380' },
    });
    assert.equal(parseConfig({ cwd, flags: { pubsub: 'none' }, env: { SESSION_BUDDY_PUBSUB: 'redis://x' } }).pubsub, null);
  });

  it('records which flag or variable set a server URL, and the host:port it names, for messages that never show the password', () => {
    const flag = parseConfig({ cwd, flags: { store: 'postgres://sb:s3cret@db.internal/sb', pubsub: 'redis://:pw@cache.internal' } });
    assert.ok(flag.store.kind === 'postgres');
    assert.deepEqual(flag.store.source, { setBy: '--store', address: 'db.internal:5432', redacted: 'postgres://sb:***@db.internal/sb' });
    assert.deepEqual(flag.pubsub?.source, { setBy: '--pubsub', address: 'cache.internal:6379', redacted: 'redis://:***@cache.internal' });
    assert.equal(describeUrlSource(flag.store.source), 'db.internal:5432 (from --store postgres://sb:***@db.internal/sb)');
    assert.equal(describeUrlSource(flag.pubsub!.source), 'cache.internal:6379 (from --pubsub redis://:***@cache.internal)');

    const env = parseConfig({ cwd, env: { SESSION_BUDDY_STORE: 'postgres://sb@[::1]:6543/sb?password=s3cret', SESSION_BUDDY_PUBSUB: 'redis://r:7000' } });
    assert.ok(env.store.kind === 'postgres');
    assert.equal(describeUrlSource(env.store.source), '[::1]:6543 (from SESSION_BUDDY_STORE=postgres://sb@[::1]:6543/sb?password=***)');
    assert.equal(describeUrlSource(env.pubsub!.source), 'r:7000 (from SESSION_BUDDY_PUBSUB=redis://r:7000)');
    // A socket directory in pg's `host` parameter.
    const socket = parseConfig({ cwd, flags: { store: 'postgres:///sb?host=/var/run/postgresql' } }).store;
    assert.equal(socket.kind === 'postgres' && socket.source.address, '/var/run/postgresql:5432');

    // `start` runs its background server with the typed URLs in the environment, saying which were flags.
    const forwarded = parseConfig({
      cwd,
      env: { SESSION_BUDDY_STORE: 'postgres://h/db', SESSION_BUDDY_PUBSUB: 'redis://r', SESSION_BUDDY_TYPED_FLAGS: 'pubsub' },
    });
    assert.equal(forwarded.store.kind === 'postgres' && forwarded.store.source.setBy, 'SESSION_BUDDY_STORE');
    assert.equal(forwarded.pubsub?.source.setBy, '--pubsub');
  });

  it('rejects anything else, naming the setting', () => {
    const field = (name: string) => (err: unknown) =>
      (err as { code?: string }).code === 'INVALID_INPUT' && (err as { details: { field?: string } }).details.field === name;
    assert.throws(() => parseConfig({ cwd, flags: { store: 'mysql://x/y' } }), field('store'));
    assert.throws(() => parseConfig({ cwd, flags: { pubsub: 'nats://x' } }), field('pubsub'));
    assert.throws(() => parseConfig({ cwd, env: { SESSION_BUDDY_PG_POOL_SIZE: '0' } }), { code: 'INVALID_INPUT' });
  });
});

describe('empty variables', () => {
  it('are unset: an empty SESSION_BUDDY_HOST binds loopback (not every interface), and log level and synchronous keep their defaults', () => {
    const c = parseConfig({ cwd, env: { SESSION_BUDDY_HOST: '', SESSION_BUDDY_LOG_LEVEL: '', SESSION_BUDDY_SQLITE_SYNCHRONOUS: '' } });
    assert.deepEqual([c.host, c.logLevel, c.sqliteSynchronous], ['127.0.0.1', 'info', 'NORMAL']);
  });
});

describe('ports', () => {
  it('refuses a dedicated metrics port that is the HTTP port, from flags or the environment; 0 (a free one) may be both', () => {
    const refused = (source: Parameters<typeof parseConfig>[0], field: string) =>
      assert.throws(
        () => parseConfig(source),
        (err: unknown) =>
          (err as { code?: string }).code === 'INVALID_INPUT' &&
          (err as { details: { field?: string } }).details.field === field &&
          /^metrics-port: must differ from the HTTP port \(\d+\)$/.test((err as Error).message),
      );
    refused({ cwd, flags: { port: '47100', metricsPort: '47100' } }, 'metrics-port');
    refused({ cwd, env: { SESSION_BUDDY_METRICS_PORT: '8678' } }, 'metrics-port');
    assert.equal(parseConfig({ cwd, flags: { port: '47100', metricsPort: '47101' } }).metricsPort, 47101);
    assert.equal(parseConfig({ cwd, flags: { port: '0', metricsPort: '0' } }).metricsPort, 0);
  });
});

describe('integer settings', () => {
  const rule = (source: Parameters<typeof parseConfig>[0]) => {
    try {
      parseConfig(source);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };

  it('takes decimal digits only: 1e300, 1e3, hexadecimal, spaces and numbers past 2^53 are refused, naming the flag or variable', () => {
    for (const raw of ['1e300', '1e3', '0x50', ' 80', 'Infinity', '9007199254740993']) {
      assert.equal(rule({ cwd, flags: { wsMaxClients: raw } }), 'ws-max-clients: must be an integer between 1 and 1048576', raw);
      assert.equal(rule({ cwd, flags: { port: raw } }), 'port: must be an integer port between 0 and 65535', raw);
      assert.equal(rule({ cwd, env: { SESSION_BUDDY_MCP_MAX_SESSIONS: raw } }), 'SESSION_BUDDY_MCP_MAX_SESSIONS: must be an integer between 1 and 100000', raw);
    }
    assert.equal(parseConfig({ cwd, flags: { port: '1000' } }).port, 1000);
  });

  it('bounds the PostgreSQL pool, the MCP sessions and k', () => {
    assert.equal(rule({ cwd, env: { SESSION_BUDDY_PG_POOL_SIZE: '1001' } }), 'SESSION_BUDDY_PG_POOL_SIZE: must be an integer between 1 and 1000');
    assert.equal(rule({ cwd, env: { SESSION_BUDDY_MCP_MAX_SESSIONS: '100001' } }), 'SESSION_BUDDY_MCP_MAX_SESSIONS: must be an integer between 1 and 100000');
    assert.equal(
      rule({ cwd, env: { SESSION_BUDDY_MCP_MAX_SESSIONS_PER_CLIENT: '100001' } }),
      'SESSION_BUDDY_MCP_MAX_SESSIONS_PER_CLIENT: must be an integer between 1 and 100000',
    );
    assert.equal(
      rule({ cwd, env: { SESSION_BUDDY_COMMUNITY_MIN_USERS: '1000001' } }),
      'SESSION_BUDDY_COMMUNITY_MIN_USERS: must be an integer between 1 and 1000000',
    );
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_PG_POOL_SIZE: '1000', SESSION_BUDDY_COMMUNITY_MIN_USERS: '1000000' } }).communityMinUsers, 1_000_000);
  });

  it('bounds --ws-max-clients by the file descriptors a process may hold (fs.nr_open, 1048576)', () => {
    assert.equal(rule({ cwd, flags: { wsMaxClients: '1048577' } }), 'ws-max-clients: must be an integer between 1 and 1048576');
    assert.equal(parseConfig({ cwd, flags: { wsMaxClients: '1048576' } }).realtime.wsMaxClients, 1_048_576);
  });
});

describe('numeric settings', () => {
  const rule = (env: Record<string, string>) => {
    try {
      parseConfig({ cwd, env });
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };
  /** Each variable, its range message, the largest value it takes and one just past it, the smallest and one just below it. */
  const cases: [string, string, string, string, string, string][] = [
    ['SESSION_BUDDY_DETECT_INTERVAL', 'must be a number of seconds from 0.001 to 86400, or 0/off', '86400', '86400.5', '0.001', '0.0005'],
    ['SESSION_BUDDY_BASELINES_REFRESH', 'must be a number of seconds from 0.001 to 86400, or 0/off', '86400', '86401', '0.001', '0.0001'],
    ['SESSION_BUDDY_DETECT_THRESHOLD', 'must be a number of standard deviations from 0.5 to 10', '10', '10.01', '0.5', '0.49'],
    ['SESSION_BUDDY_BACKFILL_AFTER_MIN', 'must be a number of minutes from 0.1 to 1440', '1440', '1441', '0.1', '0.05'],
    ['SESSION_BUDDY_MCP_IDLE_MINUTES', 'must be a number of minutes from 1 to 1440', '1440', '1440.1', '1', '0.5'],
    ['SESSION_BUDDY_COMPACT_THRESHOLD_MB', 'must be a number of MiB from 0.01 to 16777216', '16777216', '16777217', '0.01', '0.001'],
    ['SESSION_BUDDY_DETECT_WINDOW_HOURS', 'must be an integer between 1 and 720', '720', '721', '1', '0'],
    ['SESSION_BUDDY_DETECT_BASELINE_DAYS', 'must be an integer between 1 and 90', '90', '91', '1', '0'],
  ];

  it('takes decimal numbers only, within a range, and the error names the variable and the range', () => {
    for (const [name, range, max, past, min, below] of cases) {
      for (const raw of ['1e300', '1e3', '0x50', ' 5', '-1', '+5', 'Infinity', '5.', past, below]) {
        assert.equal(rule({ [name]: raw }), `${name}: ${range}`, `${name}=${raw}`);
      }
      assert.equal(rule({ [name]: max }), 'accepted', `${name}=${max}`);
      assert.equal(rule({ [name]: min }), 'accepted', `${name}=${min}`);
    }
    const c = parseConfig({
      cwd,
      env: { SESSION_BUDDY_DETECT_THRESHOLD: '2.5', SESSION_BUDDY_COMPACT_THRESHOLD_MB: '0.5', SESSION_BUDDY_DETECT_INTERVAL: '86400' },
    });
    assert.equal(c.detection.threshold, 2.5);
    assert.equal(c.compactThresholdBytes, 512 * 1024);
    assert.equal(c.detection.intervalMs, 86_400_000);
  });

  it('bounds the burst and the per-second rate of the rate limits', () => {
    for (const name of ['SESSION_BUDDY_RATE_LIMIT', 'SESSION_BUDDY_MCP_SESSION_RATE']) {
      const range = `${name}: the burst must be an integer from 1 to 1000000 and the per-second rate a number of calls per second from 0.001 to 1000000`;
      for (const raw of ['1000001/5', '99999999999999999999/5', '5/1000001', '5/0.0001', '0/5', '5/0'])
        assert.equal(rule({ [name]: raw }), range, `${name}=${raw}`);
      assert.equal(rule({ [name]: '1000000/1000000' }), 'accepted');
      assert.equal(rule({ [name]: '1/0.001' }), 'accepted');
    }
  });

  it('SESSION_BUDDY_RETENTION_DAYS takes decimal numbers only (its bound, 36500 days, as --older-than)', () => {
    for (const raw of ['1e3', '0x50', ' 5', 'Infinity', '-1']) {
      assert.equal(rule({ SESSION_BUDDY_RETENTION_DAYS: raw }), 'SESSION_BUDDY_RETENTION_DAYS: must be a positive number of days', raw);
    }
    assert.equal(rule({ SESSION_BUDDY_RETENTION_DAYS: '36501' }), 'SESSION_BUDDY_RETENTION_DAYS: must be at most 36500 (100 years)');
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_RETENTION_DAYS: '30.5' } }).retentionDays, 30.5);
  });
});

describe('Claude Code directories (CLAUDE_CONFIG_DIR)', () => {
  it('defaults to ~/.claude and takes a comma-separated list, relative to cwd, without repeats', () => {
    assert.deepEqual(parseConfig({ cwd, env: {} }).claudeConfigDirs, [path.join(os.homedir(), '.claude')]);
    assert.deepEqual(parseConfig({ cwd, env: { CLAUDE_CONFIG_DIR: ' ' } }).claudeConfigDirs, [path.join(os.homedir(), '.claude')]);
    assert.deepEqual(parseConfig({ cwd, env: { CLAUDE_CONFIG_DIR: '/a/claude, rel ,~/work/.claude,,/a/claude' } }).claudeConfigDirs, [
      '/a/claude',
      path.join(cwd, 'rel'),
      path.join(os.homedir(), 'work', '.claude'),
    ]);
  });
});

describe('scheduled work and backfill configuration', () => {
  it('detects every 60 s over 3 h against 7 days, refreshes baselines every 15 min, backfill after 5 min', () => {
    const c = parseConfig({ cwd, env: {} });
    assert.deepEqual(c.detection, { intervalMs: 60_000, windowHours: 3, baselineDays: 7, threshold: 2 });
    assert.equal(c.baselinesRefreshMs, 900_000);
    assert.equal(c.backfillAfterMs, 300_000);
  });

  it('takes the environment, turns detection off with --no-detect or 0, and rejects bad values naming the variable', () => {
    const c = parseConfig({
      cwd,
      env: {
        SESSION_BUDDY_DETECT_INTERVAL: '15',
        SESSION_BUDDY_DETECT_WINDOW_HOURS: '6',
        SESSION_BUDDY_BASELINES_REFRESH: 'off',
        SESSION_BUDDY_BACKFILL_AFTER_MIN: '0.5',
      },
    });
    assert.equal(c.detection.intervalMs, 15_000);
    assert.equal(c.detection.windowHours, 6);
    assert.equal(c.baselinesRefreshMs, null);
    assert.equal(c.backfillAfterMs, 30_000);
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_DETECT_INTERVAL: '0' } }).detection.intervalMs, null);
    assert.equal(parseConfig({ cwd, env: {}, flags: { detect: false } }).detection.intervalMs, null);
    assert.throws(() => parseConfig({ cwd, env: { SESSION_BUDDY_DETECT_INTERVAL: 'soon' } }), /SESSION_BUDDY_DETECT_INTERVAL/);
    assert.throws(() => parseConfig({ cwd, env: { SESSION_BUDDY_DETECT_WINDOW_HOURS: '1.5' } }), /SESSION_BUDDY_DETECT_WINDOW_HOURS/);
  });
});

describe('MCP session limits', () => {
  it('closes idle sessions after 10 minutes by default, 200 sessions, 50 per client, 30 new ones in a burst then 5/s; each configurable', () => {
    assert.deepEqual(parseConfig({ cwd: '/tmp' }).mcpSessions, {
      idleMs: 600_000,
      maxSessions: 200,
      maxPerClient: 50,
      creationRate: { capacity: 30, refillPerSecond: 5 },
    });
    const c = parseConfig({
      cwd: '/tmp',
      env: {
        SESSION_BUDDY_MCP_IDLE_MINUTES: '2.5',
        SESSION_BUDDY_MCP_MAX_SESSIONS: '20',
        SESSION_BUDDY_MCP_MAX_SESSIONS_PER_CLIENT: '3',
        SESSION_BUDDY_MCP_SESSION_RATE: '4/0.5',
      },
    }).mcpSessions;
    assert.deepEqual(c, { idleMs: 150_000, maxSessions: 20, maxPerClient: 3, creationRate: { capacity: 4, refillPerSecond: 0.5 } });
    assert.throws(() => parseConfig({ cwd: '/tmp', env: { SESSION_BUDDY_MCP_IDLE_MINUTES: '0' } }), { code: 'INVALID_INPUT' });
    assert.throws(() => parseConfig({ cwd: '/tmp', env: { SESSION_BUDDY_MCP_SESSION_RATE: 'lots' } }), /SESSION_BUDDY_MCP_SESSION_RATE: must look like/);
  });
});

describe('embeddings switch', () => {
  it('is on by default, SESSION_BUDDY_EMBEDDINGS=off turns it off, anything else is refused naming the variable', () => {
    assert.equal(parseConfig({ cwd, env: {} }).embeddings, true);
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_EMBEDDINGS: 'off' } }).embeddings, false);
    assert.equal(parseConfig({ cwd, env: { SESSION_BUDDY_EMBEDDINGS: '1' } }).embeddings, true);
    assert.throws(() => parseConfig({ cwd, env: { SESSION_BUDDY_EMBEDDINGS: 'maybe' } }), /SESSION_BUDDY_EMBEDDINGS/);
  });
});

describe('telemetry user', () => {
  it("is the OS account name on a loopback bind (the hook's and import's default), the event's own id elsewhere", () => {
    assert.equal(parseConfig({ cwd, env: {} }).telemetryUser, os.userInfo().username);
    assert.equal(parseConfig({ cwd, flags: { host: '::1' }, env: {} }).telemetryUser, os.userInfo().username);
    assert.equal(parseConfig({ cwd, flags: { host: '0.0.0.0' }, env: {} }).telemetryUser, null);
  });

  it('is set by --telemetry-user over SESSION_BUDDY_TELEMETRY_USER; `event` keeps the ids events carry; empty is refused', () => {
    assert.equal(parseConfig({ cwd, flags: { telemetryUser: 'ann' }, env: { SESSION_BUDDY_TELEMETRY_USER: 'bob' } }).telemetryUser, 'ann');
    assert.equal(parseConfig({ cwd, flags: { host: '0.0.0.0' }, env: { SESSION_BUDDY_TELEMETRY_USER: 'bob' } }).telemetryUser, 'bob');
    assert.equal(parseConfig({ cwd, flags: { telemetryUser: 'event' }, env: {} }).telemetryUser, null);
    assert.throws(
      () => parseConfig({ cwd, flags: { telemetryUser: ' ' }, env: {} }),
      (err: unknown) => (err as { details: { field?: string } }).details.field === 'telemetry-user',
    );
  });
});

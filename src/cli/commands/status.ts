import type { Command } from 'commander';
import { readDrops } from '../../capture/drop-counter.js';
import { spooledBytes } from '../../capture/spool.js';
import { formatBytes } from '../../format-bytes.js';
import { readRejectedSpool } from '../../maintenance/doctor.js';
import { readStoreStatus } from '../../store/open-stores.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';
import { readOnlyStore } from '../read-only.js';
import { AppError } from '../../errors.js';
import { describeUrlSource } from '../../config.js';

/** The store a running server's /health reports (`store`, and `status` / `store_error` when it does not answer), or null. */
function serverStore(health: unknown): { kind: string; status: string; error: string | null } | null {
  const h = health as { store?: unknown; status?: unknown; store_error?: { message?: unknown } } | null;
  if (!h || typeof h.store !== 'string') return null;
  return { kind: h.store, status: String(h.status), error: typeof h.store_error?.message === 'string' ? h.store_error.message : null };
}

/** The fan-out line of a running server's /health (`fanout: {kind, state}`), or null: none configured, or not reported. */
function fanoutLine(health: unknown): string | null {
  const fanout = (health as { fanout?: { kind?: unknown; state?: unknown } } | null)?.fanout;
  if (!fanout || typeof fanout.kind !== 'string' || fanout.kind === 'none') return null;
  const state = typeof fanout.state === 'string' ? fanout.state : 'unknown';
  const meanwhile = state === 'connected' ? '' : ' — live events from other instances come by polling the store meanwhile';
  return `fan-out:   ${fanout.kind}, ${state}${meanwhile}`;
}

export function registerStatusCommand(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show the database (path, size, schema version, row counts) and whether the server runs')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = ctx.config(cmd);
      const server = runningServer(config.dataDir);
      let health: unknown = null;
      if (server) {
        try {
          const res = await fetch(`http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}/health`, {
            signal: AbortSignal.timeout(1000),
          });
          health = await res.json();
        } catch {
          health = null;
        }
      }
      // A store this user cannot write is read as it is (said once on stderr).
      const readOnly = readOnlyStore(config, ctx);
      const db = await readStoreStatus(config);
      const { exists, path: location } = db;
      const drops = readDrops(config.dataDir);
      const rejected = await readRejectedSpool(config.dataDir);
      const capture = {
        spool_bytes: spooledBytes(config.dataDir),
        hook_drops: {
          count: drops.count,
          at_least: drops.capped,
          last_at: drops.lastAt === null ? null : new Date(drops.lastAt).toISOString(),
          last_reason: drops.lastReason,
        },
        // Spooled lines the store refused (kept in spool.rejected.jsonl): captured, but not recorded either.
        spool_rejected: {
          count: rejected.count,
          salt_mismatch: rejected.saltMismatch,
          last_at: rejected.lastAt === null ? null : new Date(rejected.lastAt).toISOString(),
          last_reason: rejected.lastReason,
        },
      };
      const result = {
        data_dir: config.dataDir,
        // Why this user cannot write the store (then nothing is recorded there), or null.
        read_only: readOnly ? { path: readOnly.path, code: readOnly.code, reason: readOnly.reason } : null,
        database: db,
        capture,
        server: server ? { running: true, pid: server.pid, url: `http://${server.host}:${server.port}`, health } : { running: false },
      };
      // The rest of the status is still shown; the exit code says the store could not be read (1),
      // and the message which server and which setting (flag or variable) to look at.
      const where = config.store.kind === 'postgres' ? `the PostgreSQL store at ${describeUrlSource(config.store.source)}` : 'the store';
      const unreachable = () => new AppError('STORE_UNAVAILABLE', `cannot open ${where}: ${String(db.error)}`);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (db.error) throw unreachable();
        return;
      }
      const lines = [
        `data dir:  ${config.dataDir}`,
        `database:  ${location}${config.store.kind === 'postgres' ? ' (postgres)' : ''}` +
          (exists ? '' : db.error ? ` (unreachable: ${String(db.error)})` : ' (not created yet: run `session-buddy init`)'),
      ];
      if (exists) {
        lines.push(`size:      ${formatBytes(db.size_bytes as number)}`);
        const behind = (db.schema_version as number) < (db.latest_schema_version as number);
        const migrateNote =
          readOnly !== null
            ? " — older than this program's: the data directory needs `session-buddy migrate`, run by someone who can write it"
            : " — older than this program's: the next command that writes (or `session-buddy migrate`) brings it up to date";
        lines.push(`schema:    version ${db.schema_version as number} of ${db.latest_schema_version as number}${behind ? migrateNote : ''}`);
        for (const [t, n] of Object.entries(db.rows as Record<string, number>)) {
          // Archived invocations left the table but are still counted by the analytics (their rollups stay).
          const archived =
            t === 'skill_invocations' && db.archived ? ` (+${db.archived.rows} archived in ${db.archived.files} Parquet file(s), still in the figures)` : '';
          lines.push(`  ${t.padEnd(20)} ${n}${archived}`);
        }
      }
      lines.push(
        `hooks:     ${capture.spool_bytes} bytes spooled; ` +
          (drops.count > 0
            ? `${drops.capped ? 'at least ' : ''}${drops.count} invocation(s) DROPPED, last ${capture.hook_drops.last_at} (${drops.lastReason}) — see \`session-buddy doctor\``
            : 'nothing dropped') +
          (rejected.count > 0
            ? `; ${rejected.count} spooled invocation(s) REJECTED by the store${rejected.saltMismatch > 0 ? ` (${rejected.saltMismatch} hashed with another salt)` : ''} — see \`session-buddy doctor\``
            : ''),
      );
      lines.push(
        server
          ? `server:    running (pid ${server.pid}) at http://${server.host}:${server.port}${health ? '' : ' — not answering /health'}`
          : 'server:    not running',
      );
      const fanout = fanoutLine(health);
      if (fanout) lines.push(fanout);
      const served = serverStore(health);
      if (served?.status === 'unavailable') lines.push(`           its store does not answer: ${served.error ?? 'unknown error'}`);
      if (served && served.kind !== config.store.kind) {
        lines.push(
          `note:      that server uses a ${served.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'} store, not the one described above: ` +
            'run status (and every other command) with the store the server was started with (--store or SESSION_BUDDY_STORE)',
        );
      }
      ctx.stdout.write(`${lines.join('\n')}\n`);
      if (!exists && db.error) throw unreachable();
    });
}

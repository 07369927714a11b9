import fs from 'node:fs';
import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/migrator.js';
import { readDrops } from '../../capture/drop-counter.js';
import { spoolSize } from '../../capture/spool.js';
import { formatBytes } from '../../format-bytes.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

const STATUS_TABLES = ['skill_invocations', 'skills', 'users', 'sessions', 'skill_anomalies', 'ab_experiments'];

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
      let db: Record<string, unknown>;
      let exists: boolean;
      let location = config.dbPath;
      if (config.store.kind === 'postgres') {
        ({ db, exists } = await postgresStatus(config.store.url));
        location = String(db.path);
      } else {
        exists = fs.existsSync(config.dbPath);
        db = { kind: 'sqlite', path: config.dbPath, exists };
        if (exists) db = { ...db, ...sqliteStatus(config.dbPath) };
      }
      const drops = readDrops(config.dataDir);
      const capture = {
        spool_bytes: spoolSize(config.dataDir),
        hook_drops: {
          count: drops.count,
          at_least: drops.capped,
          last_at: drops.lastAt === null ? null : new Date(drops.lastAt).toISOString(),
          last_reason: drops.lastReason,
        },
      };
      const result = {
        data_dir: config.dataDir,
        database: db,
        capture,
        server: server ? { running: true, pid: server.pid, url: `http://${server.host}:${server.port}`, health } : { running: false },
      };
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [
        `data dir:  ${config.dataDir}`,
        `database:  ${location}${config.store.kind === 'postgres' ? ' (postgres)' : ''}` +
          (exists ? '' : db.error ? ` (unreachable: ${String(db.error)})` : ' (not created yet: run `session-buddy init`)'),
      ];
      if (exists) {
        lines.push(`size:      ${formatBytes(db.size_bytes as number)}`);
        lines.push(`schema:    version ${db.schema_version as number} of ${db.latest_schema_version as number}`);
        for (const [t, n] of Object.entries(db.rows as Record<string, number>)) lines.push(`  ${t.padEnd(20)} ${n}`);
      }
      lines.push(
        `hooks:     ${capture.spool_bytes} bytes spooled; ` +
          (drops.count > 0
            ? `${drops.capped ? 'at least ' : ''}${drops.count} invocation(s) DROPPED, last ${capture.hook_drops.last_at} (${drops.lastReason}) — see \`session-buddy doctor\``
            : 'nothing dropped'),
      );
      lines.push(
        server
          ? `server:    running (pid ${server.pid}) at http://${server.host}:${server.port}${health ? '' : ' — not answering /health'}`
          : 'server:    not running',
      );
      ctx.stdout.write(`${lines.join('\n')}\n`);
    });
}

function sqliteStatus(dbPath: string): Record<string, unknown> {
  const handle = openDatabase(dbPath, { readonly: true });
  try {
    const migrator = new Migrator(handle);
    const size = fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
    const rows: Record<string, number> = {};
    for (const t of STATUS_TABLES) {
      try {
        rows[t] = handle.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
      } catch {
        // table not present at this schema version
      }
    }
    return { size_bytes: size, schema_version: migrator.currentVersion(), latest_schema_version: migrator.latestVersion, rows };
  } finally {
    handle.close();
  }
}

/** The PostgreSQL store as it is: nothing is migrated or created here. */
async function postgresStatus(url: string): Promise<{ db: Record<string, unknown>; exists: boolean }> {
  // Loaded only for a PostgreSQL store: other commands do not pay for the driver.
  const [{ PgMigrator }, { createPgPool, redactUrl }] = await Promise.all([import('../../store/postgres/migrator.js'), import('../../store/postgres/pool.js')]);
  const pool = createPgPool(url, 1);
  const db: Record<string, unknown> = { kind: 'postgres', path: redactUrl(url) };
  try {
    const migrator = new PgMigrator(pool);
    const version = await migrator.currentVersion();
    if (version === 0) return { db: { ...db, exists: false }, exists: false };
    const rows: Record<string, number> = {};
    for (const t of STATUS_TABLES) {
      const r = await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${t}`).catch(() => null);
      if (r) rows[t] = r.rows[0]!.n;
    }
    const size = await pool.query<{ n: number | null }>(
      `SELECT sum(pg_total_relation_size(c.oid)) AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       WHERE s.nspname = current_schema() AND c.relkind IN ('r', 'm')`,
    );
    return {
      db: { ...db, exists: true, size_bytes: size.rows[0]!.n ?? 0, schema_version: version, latest_schema_version: migrator.latestVersion, rows },
      exists: true,
    };
  } catch (err) {
    return { db: { ...db, exists: false, error: (err as Error).message }, exists: false };
  } finally {
    await pool.end().catch(() => {});
  }
}

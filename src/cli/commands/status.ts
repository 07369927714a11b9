import fs from 'node:fs';
import type { Command } from 'commander';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/migrator.js';
import { formatBytes, type CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

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
      const exists = fs.existsSync(config.dbPath);
      let db: Record<string, unknown> = { path: config.dbPath, exists };
      if (exists) {
        const handle = openDatabase(config.dbPath, { readonly: true });
        try {
          const migrator = new Migrator(handle);
          const size = fs.statSync(config.dbPath).size + (fs.existsSync(`${config.dbPath}-wal`) ? fs.statSync(`${config.dbPath}-wal`).size : 0);
          const rows: Record<string, number> = {};
          for (const t of ['skill_invocations', 'skills', 'users', 'sessions', 'skill_anomalies', 'ab_experiments']) {
            try {
              rows[t] = handle.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
            } catch {
              // table not present at this schema version
            }
          }
          db = { ...db, size_bytes: size, schema_version: migrator.currentVersion(), latest_schema_version: migrator.latestVersion, rows };
        } finally {
          handle.close();
        }
      }
      const result = {
        data_dir: config.dataDir,
        database: db,
        server: server ? { running: true, pid: server.pid, url: `http://${server.host}:${server.port}`, health } : { running: false },
      };
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const lines = [`data dir:  ${config.dataDir}`, `database:  ${config.dbPath}${exists ? '' : ' (not created yet: run `session-buddy init`)'}`];
      if (exists) {
        lines.push(`size:      ${formatBytes(db.size_bytes as number)}`);
        lines.push(`schema:    version ${db.schema_version as number} of ${db.latest_schema_version as number}`);
        for (const [t, n] of Object.entries(db.rows as Record<string, number>)) lines.push(`  ${t.padEnd(20)} ${n}`);
      }
      lines.push(server ? `server:    running (pid ${server.pid}) at http://${server.host}:${server.port}${health ? '' : ' — not answering /health'}` : 'server:    not running');
      ctx.stdout.write(`${lines.join('\n')}\n`);
    });
}

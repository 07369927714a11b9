/**
 * `session-buddy token create|list|revoke`: per-user access tokens for a
 * shared server (see server/user-tokens.ts). Works on the configured store
 * (SQLite or PostgreSQL), so every instance sharing it accepts the token.
 */
import type { Command } from 'commander';
import type { App } from '../../app.js';
import { createLogger } from '../../logger.js';
import type { ApiTokenRecord } from '../../store/api-token-types.js';
import type { CliContext } from '../context.js';
import { fieldFlags, intFlag } from '../flags.js';
import { openAppToRead } from '../read-only.js';

/** `reads`: the command only reads, so a store this user cannot write is read as it is (said once on stderr). */
async function withApp<T>(ctx: CliContext, cmd: Command, fn: (app: App) => Promise<T>, reads = false): Promise<T> {
  const config = ctx.config(cmd);
  const app = reads ? await openAppToRead(config, ctx) : await (await import('../../app.js')).openApp(config, { logger: createLogger('silent') });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

const iso = (t: number | null) => (t === null ? '-' : `${new Date(t).toISOString().slice(0, 19)}Z`);

function row(t: ApiTokenRecord): string {
  return [
    String(t.id).padEnd(5),
    t.role.padEnd(6),
    `${t.user_hash.slice(0, 12)}…`,
    iso(t.created_at),
    t.revoked_at === null ? 'active ' : 'revoked',
    t.label ?? '',
  ].join('  ');
}

export function registerTokenCommand(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('per-user access tokens for a shared server: create, list, revoke');

  const create = token
    .command('create')
    .description('issue a token that speaks for one user (shown once; only its hash is stored)')
    .requiredOption('--user <id>', 'the user id the token speaks for (stored only as its salted hash)')
    .option('--admin', 'admin role: team-wide views (may ask about any user, sees who did what on /ws)')
    .option('--label <text>', 'a note shown by `token list` (e.g. the person or machine)')
    .option('--json', 'print JSON')
    .action(async (opts: { user: string; admin?: boolean; label?: string; json?: boolean }, cmd: Command) => {
      const { token: secret, record } = await withApp(ctx, cmd, (app) =>
        app.userTokens.create({ userId: opts.user, admin: opts.admin === true, ...(opts.label !== undefined ? { label: opts.label } : {}) }),
      );
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify({ id: record.id, role: record.role, token: secret }, null, 2)}\n`);
        return;
      }
      ctx.stdout.write(
        `token ${record.id} (${record.role}) for the given user:\n${secret}\n` +
          'It is shown only this once. Clients send it as `Authorization: Bearer <token>` (on /ws also `?token=`).\n',
      );
    });
  fieldFlags(create, { user: '--user' });

  token
    .command('list')
    .description('list tokens (id, role, user hash prefix, created, state, label); never the secrets')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const tokens = await withApp(ctx, cmd, (app) => app.userTokens.list(), true);
      if (opts.json) {
        ctx.stdout.write(`${JSON.stringify(tokens, null, 2)}\n`);
        return;
      }
      if (tokens.length === 0) {
        ctx.stdout.write('no per-user tokens (create one with `session-buddy token create --user ID`)\n');
        return;
      }
      ctx.stdout.write(`${['id'.padEnd(5), 'role'.padEnd(6), 'user'.padEnd(13), 'created'.padEnd(20), 'state  ', 'label'].join('  ')}\n`);
      for (const t of tokens) ctx.stdout.write(`${row(t)}\n`);
    });

  token
    .command('revoke')
    .description('revoke a token by id (running servers refuse it within 5 s)')
    .argument('<id>', 'the token id, from `token list`')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const tokenId = intFlag('id', id, 1, Number.MAX_SAFE_INTEGER, '(see `token list`)');
      await withApp(ctx, cmd, (app) => app.userTokens.revoke(tokenId));
      ctx.stdout.write(`token ${id} revoked\n`);
    });
}

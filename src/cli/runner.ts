/**
 * The commander scaffolding shared by the full CLI and the hook-only CLI,
 * and `runCli`, which maps errors to messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { defaultDataDir, ENV, storeFlagValue } from '../config.js';
import { AppError, toAppError } from '../errors.js';
import { describeRecoveredRestore, recoverInterruptedRestore } from '../store/sqlite/restore-switch.js';
import { VERSION } from '../version.js';
import type { CliContext } from './context.js';
import { dataDirProblem, missingDataDir, missingDatabase } from './data-dir-check.js';
import { checksOwnEmpty, errorForFlags, fieldFlags } from './flags.js';

/** The configuration's field names (see src/config.ts) and the global or per-command flags that set them. */
const CONFIG_FLAGS = {
  'data-dir': { flag: '--data-dir', env: ENV.dataDir },
  'log-level': { flag: '--log-level', env: ENV.logLevel },
  store: { flag: '--store', env: ENV.store },
  pubsub: { flag: '--pubsub', env: ENV.pubsub },
  host: { flag: '--host', env: ENV.host },
  port: { flag: '--port', env: ENV.port },
  'metrics-port': { flag: '--metrics-port', env: ENV.metricsPort },
  'ws-max-clients': { flag: '--ws-max-clients', env: ENV.wsMaxClients },
  'ws-allowed-origins': { flag: '--ws-allowed-origins', env: ENV.wsAllowedOrigins },
  'telemetry-user': { flag: '--telemetry-user', env: ENV.telemetryUser },
};

export function baseProgram(ctx: CliContext): Command {
  const program = new Command('session-buddy')
    .description('Local-first MCP server that makes AI coding agents measurable')
    .version(VERSION)
    .option('--data-dir <dir>', 'data directory (default ~/.session-buddy, or $XDG_DATA_HOME/session-buddy; env SESSION_BUDDY_DATA_DIR)')
    .option('--log-level <level>', 'debug | info | warn | error | silent (default info)')
    .option('--store <url>', 'where data lives: sqlite:PATH (default <data-dir>/session-buddy.db) or postgres://… (env SESSION_BUDDY_STORE)')
    .option('--pubsub <url>', 'fan live events out to other instances: redis://… or none (default; env SESSION_BUDDY_PUBSUB)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  return fieldFlags(program, CONFIG_FLAGS);
}

export function finish(program: Command, ctx: CliContext): Command {
  program.hook('preAction', (_root, action) => {
    refuseEmptyValues(action);
    checkDataDir(action, ctx);
  });
  for (const sub of program.commands) {
    sub.exitOverride().showHelpAfterError('(run with --help for usage)');
    sub.configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  }
  return program;
}

/**
 * Refuses every value typed empty (or blank), for an option or an argument, of the command that
 * runs and the global options: an unset variable in a script (`--older-than "$AGE"`, `import
 * "$DIR"`, `--host "$HOST"`) would otherwise fall back to a default (the configured retention, the
 * current directory, every interface). All are reported at once; a flag the command checks itself
 * with its other flags (checksEmpty) is left to it. The hook never fails (it records what it can),
 * so it is left out.
 */
function refuseEmptyValues(action: Command): void {
  if (action.name() === 'hook') return;
  const blank = (v: unknown) => (typeof v === 'string' ? v.trim() === '' : Array.isArray(v) && v.some((x) => typeof x === 'string' && x.trim() === ''));
  const issues: Array<{ field: string; rule: string }> = [];
  for (let c: Command | null = action; c; c = c.parent) {
    for (const o of c.options) {
      const key = o.attributeName();
      if (o.long && !checksOwnEmpty(c, o.long) && c.getOptionValueSource(key) === 'cli' && blank(c.getOptionValue(key))) {
        issues.push({ field: o.long, rule: 'must not be empty' });
      }
    }
  }
  action.registeredArguments.forEach((a, i) => {
    if (blank(action.processedArgs[i])) issues.push({ field: a.name(), rule: 'must not be empty' });
  });
  if (issues.length > 0) throw AppError.invalid(issues[0]!.field, issues[0]!.rule, issues.length > 1 ? { issues } : {});
}

/** Commands that do not fail on an unusable data directory: the hook counts what it cannot write; inventory does not use it. */
const NO_DATA_DIR_CHECK = ['hook', 'inventory'];

/**
 * The commands that only read, or only change data already there (`command` or `command --flag`,
 * subcommands as `parent sub`): given a data directory or SQLite store that does not exist, or a
 * data directory without the database, they would create an empty one and answer "no data", so an
 * explicitly named one must hold the database. The
 * others (`init`, `start`, `mcp`, `hook`, `import`, `record`, `seed-demo`, `merge-data`,
 * `restore`, `migrate`, `token create`, …) create it on first use; `stop`, `mcp-config`,
 * `otel-config` and `install-hooks` create nothing there.
 */
const NEEDS_EXISTING_DATA = [
  'status',
  'doctor',
  'skills',
  'search',
  'checkpoint',
  'backup',
  'compact',
  'archive',
  'reprice',
  'token list',
  'token revoke',
  'migrate --status',
  'migrate --rollback',
];

function needsExistingData(action: Command): boolean {
  const names: string[] = [];
  for (let c: Command | null = action; c?.parent; c = c.parent) names.unshift(c.name());
  const name = names.join(' ');
  const opts = action.opts();
  return NEEDS_EXISTING_DATA.some((n) => n === name || (n.startsWith(`${name} --`) && opts[n.slice(name.length + 3)] === true));
}

/**
 * Refuses a data directory that is a file (or lies under one); completes the switch of a restore
 * that was killed part-way (restore-switch.ts), saying so on stderr; and, for a command that only reads
 * (needsExistingData), a data directory or SQLite store named by a flag or variable that does not
 * exist, or such a data directory without the database; each names the flag or variable that chose it. The default data directory is not
 * refused: `status` and `doctor` on a new machine say what to set up.
 */
function checkDataDir(action: Command, ctx: CliContext): void {
  if (NO_DATA_DIR_CHECK.includes(action.name())) return;
  let config: ReturnType<CliContext['config']>;
  try {
    config = ctx.config(action);
  } catch {
    return; // a configuration error is reported by the command itself
  }
  const dataDirFlag = action.getOptionValueSourceWithGlobals('dataDir') === 'cli' ? '--data-dir' : ctx.env[ENV.dataDir] ? ENV.dataDir : null;
  const problem = dataDirProblem(config.dataDir);
  if (problem) throw AppError.invalid(dataDirFlag ?? 'data directory', problem);
  if (config.store.kind === 'sqlite') {
    // A restore killed while switching the database is completed (forward or back) before anything opens it, and said.
    const recovered = recoverInterruptedRestore(config.dbPath);
    if (recovered) ctx.stderr.write(`note: ${describeRecoveredRestore(recovered)}\n`);
  }
  if (!needsExistingData(action)) return;
  const defaultDir = defaultDataDir(ctx.env);
  // The default directory, even when named, is created on first use; status and doctor then say how to set up.
  // Only where the database lives in it: with PostgreSQL (or a SQLite file named by --store) the data
  // is elsewhere, and a missing data directory is only what doctor warns about.
  const databaseInDataDir = config.store.kind === 'sqlite' && storeFlagValue(config) === null;
  if (dataDirFlag && databaseInDataDir && config.dataDir !== defaultDir) {
    const missing = missingDataDir(config.dataDir, config.dbPath, defaultDir);
    if (missing) throw AppError.invalid(dataDirFlag, missing);
  }
  if (config.store.kind === 'sqlite' && storeFlagValue(config) !== null) {
    const missing = missingDatabase(config.dbPath);
    if (missing) throw AppError.invalid(action.getOptionValueSourceWithGlobals('store') === 'cli' ? '--store' : ENV.store, missing);
  }
}

/** Runs the CLI; resolves to the process exit code. */
export async function runCli(argv: string[], ctx: CliContext, program: Command): Promise<number> {
  // The command whose action runs: its flags name the fields in error messages.
  let ran: Command | null = null;
  program.hook('preAction', (_root, action) => {
    ran = action;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit with code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    const e = errorForFlags(toAppError(err, { dataDir: dataDirOf(ran, ctx) }), ran);
    for (const line of messageLines(e)) ctx.stderr.write(`error: ${line}\n`);
    if (e.code === 'INTERNAL' && e.cause instanceof Error && e.cause.stack) ctx.stderr.write(`${e.cause.stack}\n`);
    return e.code === 'INVALID_INPUT' ? 2 : e.code === 'INTERRUPTED' ? 130 : 1;
  }
}

/** The data directory of the command that ran (for telling a full disk from other I/O errors); undefined when unknown. */
function dataDirOf(ran: Command | null, ctx: CliContext): string | undefined {
  if (ran === null) return undefined;
  try {
    return ctx.config(ran).dataDir;
  } catch {
    return undefined;
  }
}

/**
 * What `runCli` prints of an error, one `error:` line each: an input error lists its issues one per
 * line (several bad flags at once), and no issue spreads over two lines, whatever its text holds
 * (a JSON parser's message quotes the input, line breaks included).
 */
function messageLines(e: AppError): string[] {
  if (e.code !== 'INVALID_INPUT') return [e.message];
  const issues = e.details.issues;
  const lines = Array.isArray(issues) ? issues.map((i: { field?: unknown; rule?: unknown }) => `${String(i.field)}: ${String(i.rule)}`) : [e.message];
  return lines.map((l) => l.replace(/\r?\n/g, '\\n'));
}

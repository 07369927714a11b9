import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { entryPoint } from '../../capture/entry-command.js';
import { startTranscriptImport } from '../../capture/hook-import.js';
import { invocationsUrl, readAccessToken, runHook } from '../../capture/hook-runner.js';
import { drainSpool, spoolSize } from '../../capture/spool.js';
import { osUserName } from '../../capture/user-id.js';
import { storeFlagValue } from '../../config.js';
import type { CliContext } from '../context.js';
import { runningServer } from '../pidfile.js';

interface HookOpts {
  user?: string;
  verbose?: boolean;
}

/** Without a server, a session boundary ingests the spool in-process only while it is this small. */
const LOCAL_DRAIN_MAX_BYTES = 256 * 1024;

/**
 * `session-buddy hook`: the command Claude Code runs for each hook event.
 * Never fails: problems are reported on stderr only with --verbose, and the
 * exit code is always 0 (main.ts also bounds the whole process, see
 * hook-deadline.ts). Prints nothing on stdout, except for SessionStart when
 * there is context to hand over: Claude Code's documented hook output
 * `{"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": "…"}}`.
 * On PreCompact the saved context (already in `<data-dir>/contexts/`) is also
 * stored as a reflection, when the store opens within the hook's time.
 */
export function registerHookCommand(program: Command, ctx: CliContext): void {
  program
    .command('hook')
    .description('record a Claude Code hook event read as JSON on stdin (installed by install-hooks; always exits 0, within 2 s)')
    .option('--user <id>', 'user id (stored hashed; default: the OS user name)')
    .option('--verbose', 'describe on stderr what was done with the event')
    .option('--no-watchdog', 'no watchdog thread: the command is killed from outside (install-hooks wraps it in `timeout -s KILL`)')
    .action(async (opts: HookOpts, cmd: Command) => {
      try {
        const config = ctx.config(cmd);
        const server = runningServer(config.dataDir);
        const result = await runHook({
          stdin: ctx.stdin as Readable,
          dataDir: config.dataDir,
          userId: opts.user ?? osUserName(),
          url: server ? invocationsUrl(server.host, server.port) : null,
          token: server ? readAccessToken(config.dataDir) : null,
          // When Claude Code fired the event, not when this process got round to it.
          now: () => Math.round(performance.timeOrigin),
        });
        // Tokens and cost per skill exist only in the transcript: import it, detached (hook-import.ts).
        if (result.transcriptPath) {
          try {
            const started = startTranscriptImport({
              dataDir: config.dataDir,
              store: storeFlagValue(config),
              entry: entryPoint(process.execPath, ctx.binPath),
              userId: opts.user ?? osUserName(),
              transcriptPath: result.transcriptPath,
              sessionEnded: result.event === 'SessionEnd',
            });
            if (opts.verbose) ctx.stderr.write(`transcript import: ${JSON.stringify(started)}\n`);
          } catch (err) {
            if (opts.verbose) ctx.stderr.write(`transcript import not started: ${(err as Error).message}\n`);
          }
        }
        if (result.additionalContext) {
          ctx.stdout.write(`${JSON.stringify({ hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: result.additionalContext } })}\n`);
        }
        if (result.saved) {
          const saved = result.saved;
          const [{ openApp }, { createLogger }] = await Promise.all([import('../../app.js'), import('../../logger.js')]);
          const app = await openApp(config, { logger: createLogger('silent') });
          try {
            await app.reflections.rememberSavedContext({
              project: saved.project,
              markdown: saved.markdown,
              files: saved.activity.files.map((f) => f.path),
              data: saved,
            });
          } finally {
            await app.close();
          }
        }
        // With no server, session boundaries are a good moment to ingest a small spool locally.
        // A drain cut short by the deadline is safe: the claimed file is reclaimed, dedupe keys do the rest.
        const size = spoolSize(config.dataDir);
        if (!server && (result.event === 'SessionStart' || result.event === 'SessionEnd') && size > 0 && size <= LOCAL_DRAIN_MAX_BYTES) {
          // Loaded only here: the hook's usual path must start fast.
          const [{ openApp }, { createLogger }] = await Promise.all([import('../../app.js'), import('../../logger.js')]);
          const app = await openApp(config, { logger: createLogger('silent') });
          try {
            await drainSpool(config.dataDir, (inputs) => app.tracker.trackBatch(inputs)).catch(() => undefined);
          } finally {
            await app.close();
          }
        }
        if (opts.verbose) ctx.stderr.write(`${JSON.stringify(result)}\n`);
      } catch (err) {
        if (opts.verbose) ctx.stderr.write(`session-buddy hook: ${(err as Error).message}\n`);
      } finally {
        // Claude Code may leave stdin open; do not let it keep the process alive.
        (ctx.stdin as Readable).destroy?.();
      }
    });
}

import type { Command } from 'commander';
import { AppError } from '../../errors.js';
import { createLogger } from '../../logger.js';
import type { CliContext } from '../context.js';
import { parseInput } from '../../validation.js';
import { MAX_DURATION_MS } from '../../tracking/invocation-rules.js';
import { checkFlags, fieldFlags, intFlag, missingFlags, requireFlags } from '../flags.js';
import { readStdin } from '../read-stdin.js';

interface RecordOpts {
  skill?: string;
  user?: string;
  session?: string;
  phase?: string;
  failed?: boolean;
  duration?: string;
  error?: string;
  at?: string;
  project?: string;
  agent?: string;
  json?: boolean;
}

export function registerRecordCommand(program: Command, ctx: CliContext): void {
  const command = program
    .command('record')
    .description('record one invocation from flags, or invocations from JSON on stdin (--json: an object or an array)')
    .option('--skill <name>', 'skill name')
    .option('--user <id>', 'user id (stored hashed)')
    .option('--session <id>', 'session id')
    .option('--phase <phase>', 'workflow phase', 'unknown')
    .option('--failed', 'the invocation failed (default: completed)')
    .option('--duration <ms>', `duration in milliseconds, 0-${MAX_DURATION_MS} (24 h)`, '0')
    .option('--error <type>', 'error type (with --failed)')
    .option('--at <time>', 'ISO-8601 time (default now)')
    .option('--project <name>', 'project')
    .option('--agent <name>', 'agent / client name')
    .option('--json', 'read JSON from stdin instead of flags')
    .action(async (opts: RecordOpts, cmd: Command) => {
      let inputs: unknown[];
      if (opts.json) {
        // Flags --json does not read are refused, not ignored (the JSON on stdin is the whole input).
        checkFlags(
          Object.fromEntries(
            cmd.options
              .filter((o) => o.long !== '--json' && cmd.getOptionValueSource(o.attributeName()) === 'cli')
              .map((o) => [
                o.long!,
                () => {
                  throw AppError.invalid(o.long!, 'cannot be combined with --json (the JSON on stdin holds the whole invocation)');
                },
              ]),
          ),
        );
        const text = await readStdin(ctx.stdin);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          throw AppError.invalid('stdin', `must be valid JSON (${(err as Error).message})`);
        }
        inputs = Array.isArray(parsed) ? parsed : [parsed];
      } else {
        const { invocationInputSchema } = await import('../../tracking/invocation-input.js');
        // --duration is checked once, here (its range is the schema's): the schema below is given 0 for it.
        let durationMs = 0;
        const { input } = checkFlags({
          missing: missingFlags(cmd),
          duration: () => {
            durationMs = intFlag('--duration', opts.duration ?? '', 0, MAX_DURATION_MS, 'milliseconds (24 h)');
          },
          error: () => {
            if (opts.error !== undefined && !opts.failed) throw AppError.invalid('--error', 'only with --failed (an error type describes a failed invocation)');
          },
          input: () => {
            const input = {
              skill_name: opts.skill,
              user_id: opts.user,
              session_id: opts.session,
              workflow_phase: opts.phase,
              completed: !opts.failed,
              duration_ms: 0,
              error_type: opts.error,
              invoked_at: opts.at,
              project: opts.project,
              agent: opts.agent,
            };
            // Every other flag checked at once; missing flags, a bad --duration and --error without --failed are reported above.
            parseInput(invocationInputSchema, {
              ...input,
              skill_name: opts.skill ?? 'x',
              user_id: opts.user ?? 'x',
              session_id: opts.session ?? 'x',
              error_type: opts.failed ? input.error_type : undefined,
            });
            return input;
          },
        });
        // Reached only when every check passed, --duration's included.
        input.duration_ms = durationMs;
        inputs = [input];
      }
      const app = await (await import('../../app.js')).openApp(ctx.config(cmd), { logger: createLogger('silent') });
      try {
        const result = await app.tracker.trackBatch(inputs, Array.isArray(inputs) && opts.json ? 'invocations' : '');
        ctx.stdout.write(
          `${JSON.stringify(result.ids.length === 1 ? { id: result.ids[0], inserted: result.inserted, duplicates: result.duplicates } : { inserted: result.inserted, duplicates: result.duplicates })}\n`,
        );
      } finally {
        await app.close();
      }
    });
  requireFlags(command, ['--skill', '--user', '--session'], { flag: '--json', hint: 'or pass --json and JSON on stdin' }, { inAction: true });
  fieldFlags(command, {
    skill_name: '--skill',
    user_id: '--user',
    session_id: '--session',
    workflow_phase: '--phase',
    duration_ms: '--duration',
    error_type: '--error',
    invoked_at: '--at',
    project: '--project',
    agent: '--agent',
  });
}

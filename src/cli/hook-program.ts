/**
 * A CLI with only the `hook` command: what an agent's hook runs on every
 * tool call, so it loads as few modules as possible.
 */
import type { Command } from 'commander';
import { registerHookCommand } from './commands/hook.js';
import type { CliContext } from './context.js';
import { baseProgram, finish } from './runner.js';

export function buildHookProgram(ctx: CliContext): Command {
  const program = baseProgram(ctx);
  registerHookCommand(program, ctx);
  return finish(program, ctx);
}

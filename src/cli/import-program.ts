/**
 * A CLI with only the `import` command: it loads the write path (stores and
 * tracker), not the server, MCP tools or analytics, so that an import with
 * nothing new to read stays well under half a second.
 */
import type { Command } from 'commander';
import { registerImportCommand } from './commands/import.js';
import type { CliContext } from './context.js';
import { baseProgram, finish } from './runner.js';

export function buildImportProgram(ctx: CliContext): Command {
  const program = baseProgram(ctx);
  registerImportCommand(program, ctx);
  return finish(program, ctx);
}

/**
 * What every CLI command needs: the parsed configuration and output streams.
 */
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { type Config, type ConfigFlags, parseConfig } from '../config.js';

export interface Output {
  write(chunk: string): unknown;
}

export interface CliContext {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream;
  /** Path of the CLI entry script (used to spawn the background server). */
  binPath: string;
  /** Builds the configuration from the global flags plus the command's own flags. */
  config(cmd: Command, extra?: ConfigFlags): Config;
}

export function createCliContext(init: Omit<CliContext, 'config'>): CliContext {
  return {
    ...init,
    config(cmd, extra = {}) {
      const flags = cmd.optsWithGlobals() as ConfigFlags;
      return parseConfig({ flags: { ...flags, ...extra }, env: init.env, cwd: init.cwd });
    },
  };
}

/** The user's home directory: HOME from the context's environment, else the OS account's. */
export function homeOf(ctx: Pick<CliContext, 'env'>): string {
  const h = ctx.env.HOME;
  return h && path.isAbsolute(h) ? h : os.homedir();
}

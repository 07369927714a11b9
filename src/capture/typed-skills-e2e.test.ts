/**
 * End to end: a skill the user types (`/name`) reaches the store once, with
 * trigger 'typed', whether the UserPromptExpansion hook (`session-buddy hook`)
 * or the transcript import (`session-buddy import`) sees it first.
 * Payloads as documented in the Claude Code hooks reference
 * (UserPromptExpansion); transcript lines as Claude Code writes a typed
 * command (`<command-name>/x</command-name>` user line, then the expanded
 * skill as an isMeta line).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createCliContext } from '../cli/context.js';
import { registerHookCommand } from '../cli/commands/hook.js';
import { registerImportCommand } from '../cli/commands/import.js';
import { verifyRollups } from '../store/sqlite/rollup-check.js';
import { createTestApp, type TestApp } from '../testing/harness.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const HOUR = Math.floor(Date.UTC(2026, 0, 5, 10, 0, 0) / 3_600_000);

let app: TestApp;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-typed-e2e-'));
const projects = path.join(scratch, 'projects');

before(() => {
  app = createTestApp({ now: () => NOW });
});

after(async () => {
  await app.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function cli(args: string[], stdin: NodeJS.ReadableStream = new PassThrough()) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx = createCliContext({
    env: { HOME: path.join(scratch, 'home') },
    cwd: scratch,
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stdin,
    binPath: BIN,
  });
  const program = new Command('session-buddy').option('--data-dir <dir>').option('--log-level <level>').exitOverride();
  registerHookCommand(program, ctx);
  registerImportCommand(program, ctx);
  for (const sub of program.commands) sub.exitOverride();
  return program.parseAsync(['--data-dir', app.dir, ...args], { from: 'user' }).then(() => ({ out: out.join(''), err: err.join('') }));
}

const hook = (ev: Record<string, unknown>) => cli(['hook', '--user', 'alice'], Readable.from([Buffer.from(JSON.stringify(ev))]));

function expansion(session: string, command: string): Record<string, unknown> {
  return {
    session_id: session,
    transcript_path: `/home/u/.claude/projects/-home-u-shop/${session}.jsonl`,
    cwd: '/home/u/shop',
    permission_mode: 'default',
    hook_event_name: 'UserPromptExpansion',
    expansion_type: 'slash_command',
    command_name: command,
    command_args: '42',
    command_source: 'skill',
    prompt: `/${command} 42`,
  };
}

/** A transcript: a plain prompt, then the typed command (its args `args`), its expansion, and the built-in /clear. */
function writeTranscript(session: string, command: string, args: string): void {
  const dir = path.join(projects, '-home-u-shop');
  fs.mkdirSync(dir, { recursive: true });
  const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/u/shop', sessionId: session, version: '2.1.0' };
  const line = (uuid: string, ts: string, fields: Record<string, unknown>) => JSON.stringify({ ...base, uuid, timestamp: `2026-01-05T10:${ts}Z`, ...fields });
  const lines = [
    line('u1', '00:00.000', { type: 'user', message: { role: 'user', content: 'please look at PR 42' } }),
    line('a1', '00:01.000', { type: 'assistant', message: { id: 'm1', role: 'assistant', content: [{ type: 'text', text: 'Looking.' }] } }),
    line('u2', '01:00.000', {
      type: 'user',
      message: {
        role: 'user',
        content: `<command-message>${command}</command-message>\n<command-name>/${command}</command-name>\n<command-args>${args}</command-args>`,
      },
    }),
    line('u3', '01:00.001', {
      type: 'user',
      isMeta: true,
      message: { role: 'user', content: [{ type: 'text', text: `Base directory for this skill: /home/u/.claude/skills/${command}\n\n# Steps` }] },
    }),
    line('u4', '02:00.000', {
      type: 'user',
      message: { role: 'user', content: '<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>' },
    }),
    line('u5', '02:00.001', { type: 'user', message: { role: 'user', content: '<local-command-stdout></local-command-stdout>' } }),
  ];
  const file = path.join(dir, `${session}.jsonl`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  const old = new Date(NOW - 3_600_000);
  fs.utimesSync(file, old, old);
}

async function typedRows(skill: string) {
  return app.db
    .prepare(
      `SELECT i.activation_trigger AS trigger, i.slash_after_miss AS miss, i.dedupe_key AS key FROM skill_invocations i
       JOIN skills s ON s.id = i.skill_id WHERE s.name = ?`,
    )
    .all(skill) as Array<{ trigger: string; miss: number | null; key: string }>;
}

describe('typed skills end to end', () => {
  it('hook first, then import: one row, trigger typed', async () => {
    // Turn 1 (a plain prompt) ends with Stop; turn 2 is the typed command: a slash after a miss.
    await hook({ session_id: 'typed-a', hook_event_name: 'Stop', cwd: '/home/u/shop' });
    await hook(expansion('typed-a', 'review-pr'));
    await hook({ session_id: 'typed-a', hook_event_name: 'SessionEnd', reason: 'exit', cwd: '/home/u/shop' }); // ingests the spool
    assert.deepEqual(await typedRows('skill:review-pr'), [{ trigger: 'typed', miss: 1, key: 'cc-typed:typed-a:skill:review-pr:1' }]);

    writeTranscript('typed-a', 'review-pr', '42');
    const imported = JSON.parse((await cli(['import', projects, '--json', '--user', 'alice'])).out);
    assert.equal(imported.inserted, 0);
    assert.equal(imported.duplicates, 1);
    assert.equal((await typedRows('skill:review-pr')).length, 1);
    assert.equal((await typedRows('skill:clear')).length, 0, 'built-in commands are not skills');
  });

  it('import first, then hook: one row, trigger typed (a long line is read lazily)', async () => {
    writeTranscript('typed-b', 'deploy-app', 'x'.repeat(6000));
    const imported = JSON.parse((await cli(['import', projects, '--json', '--user', 'alice'])).out);
    assert.equal(imported.inserted, 1);
    assert.deepEqual(await typedRows('skill:deploy-app'), [{ trigger: 'typed', miss: 1, key: 'cc-typed:typed-b:skill:deploy-app:1' }]);

    await hook({ session_id: 'typed-b', hook_event_name: 'Stop', cwd: '/home/u/shop' });
    await hook(expansion('typed-b', 'deploy-app'));
    await hook({ session_id: 'typed-b', hook_event_name: 'SessionEnd', reason: 'exit', cwd: '/home/u/shop' });
    assert.equal((await typedRows('skill:deploy-app')).length, 1);
  });

  it('the trigger rollup counts each typed activation once', async () => {
    const rows = await app.stores.analyticsQueries.triggerHourly({ fromHour: 0, toHour: HOUR * 2, skills: ['skill:review-pr', 'skill:deploy-app'] });
    assert.deepEqual(
      rows.map((r) => [r.skill, r.trigger, r.invocations, r.slashAfterMiss]),
      [
        ['skill:deploy-app', 'typed', 1, 1],
        ['skill:review-pr', 'typed', 1, 1],
      ],
    );
    assert.deepEqual(verifyRollups(app.db), [], 'the rollups equal a recomputation from the raw rows');
  });
});

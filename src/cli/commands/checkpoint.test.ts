import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createCliContext } from '../context.js';
import { callOk, connectInMemory, createTestApp } from '../../testing/harness.js';
import { makeBareProject, makeRichProject, removeDir, tempDir } from '../../session/fixture-projects.js';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/sqlite/migrator.js';
import { registerCheckpointCommand } from './checkpoint.js';

async function run(args: string[], dataDir: string, cwd: string, env: Record<string, string> = {}): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx = createCliContext({
    env,
    cwd,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: new PassThrough(),
    binPath: '',
  });
  // The same global options the real program has.
  const program = new Command('session-buddy').option('--data-dir <dir>').option('--log-level <level>').exitOverride();
  registerCheckpointCommand(program, ctx);
  await program.parseAsync(['--data-dir', dataDir, 'checkpoint', ...args], { from: 'user' });
  return { out, err };
}

describe('session-buddy checkpoint', () => {
  let rich: string;
  let bare: string;
  let dataDir: string;
  before(() => {
    rich = makeRichProject();
    bare = makeBareProject();
    dataDir = tempDir('cli-data');
    const db = openDatabase(`${dataDir}/session-buddy.db`);
    new Migrator(db).up();
    db.close();
  });
  after(() => {
    for (const d of [rich, bare, dataDir]) removeDir(d);
  });

  it('prints the Markdown report for the current directory', async () => {
    const { out } = await run(['--no-audit'], dataDir, rich);
    assert.match(out, /^# Session checkpoint — rich-app/);
    assert.match(out, /## Quality Score V2: \d+(\.\d)?\/100/);
    assert.match(out, /Audit \(npm audit\): not measured: dependency audit is turned off/);
    assert.match(out, /- Database: .* pages/);
    assert.match(out, /No open session for this directory/);
  });

  it('prints the same report as JSON with --format json, for another directory via --dir', async () => {
    const { out } = await run(['--format', 'json', '--dir', bare, '--no-audit'], dataDir, rich);
    const j = JSON.parse(out);
    assert.equal(j.kind, 'adhoc');
    assert.equal(j.project.root, bare);
    assert.equal(j.quality.dimensions.length, 7);
    assert.equal(j.storage.database.measured, true);
    assert.equal(j.session_metrics.measured, false);
    assert.match(j.markdown, /^# Session checkpoint/);
  });

  it('rejects an unknown format', async () => {
    await assert.rejects(run(['--format', 'html'], dataDir, rich), /format: must be md or json/);
  });

  it('keeps a session checkpoint as a reflection beside the server and shows the score history', async () => {
    // The server (as `session-buddy mcp` runs it) starts a session in the directory and checkpoints once.
    const app = createTestApp();
    try {
      const client = await connectInMemory(app.createMcpServer('cli-test'));
      await callOk(client, 'start', { working_directory: rich });
      await callOk(client, 'checkpoint', { working_directory: rich });
      await client.close();

      const { out, err } = await run(['--format', 'json', '--dir', rich, '--no-audit'], app.dir, bare, { SESSION_BUDDY_EMBEDDINGS: 'off' });
      assert.equal(err, '');
      const j = JSON.parse(out);
      assert.equal(j.kind, 'checkpoint');
      assert.equal(j.session.checkpoints, 2);
      // The CLI's checkpoint is the session's second reflection, and the history has both.
      assert.equal(j.history.measured, true, JSON.stringify(j.history));
      assert.equal(j.history.reflection_id, 2);
      assert.match(j.markdown, /Score history of rich-app \([^)]+\): [\d.]+ → [\d.]+ \(0 over 2 checkpoints\) .* · this checkpoint is reflection 2\n/);
      const kept = app.db.prepare("SELECT count(*) FROM reflections WHERE kind = 'checkpoint'").pluck().get();
      assert.equal(kept, 2);
    } finally {
      await app.dispose();
    }
  });
});

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { createCliContext } from '../context.js';
import { makeBareProject, makeRichProject, removeDir, tempDir } from '../../session/fixture-projects.js';
import { openDatabase } from '../../store/database.js';
import { Migrator } from '../../store/sqlite/migrator.js';
import { registerCheckpointCommand } from './checkpoint.js';

async function run(args: string[], dataDir: string, cwd: string): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx = createCliContext({
    env: {},
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
});

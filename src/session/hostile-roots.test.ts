import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { makeBareProject, makeRichProject, removeDir } from './fixture-projects.js';
import { loadProjectContext } from './project-context.js';
import { assessQuality } from './quality/score.js';
import { scanForSecrets } from './quality/secrets.js';
import { resolveDirectory } from './session-manager.js';
import { runCommand, type CommandRunner } from './exec.js';

const NOW = Date.parse('2026-01-12T12:00:00Z');

describe('assessment on hostile roots', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  it('refuses the file system root and pseudo file systems as a project, naming the rule', () => {
    for (const [dir, rule] of [
      ['/', 'is the file system root, not a project directory'],
      ['/proc', 'is in /proc, /sys or /dev (not a project directory)'],
      ['/proc/self', 'is in /proc, /sys or /dev (not a project directory)'],
      ['/sys', 'is in /proc, /sys or /dev (not a project directory)'],
      ['/dev', 'is in /proc, /sys or /dev (not a project directory)'],
    ] as const) {
      assert.throws(() => resolveDirectory(dir), { code: 'INVALID_INPUT', message: `working_directory: ${rule}` }, dir);
    }
  });

  it('does not trust st.size: a procfs file (size 0) read through the context is not read at all', async () => {
    const ctx = await loadProjectContext('/proc/self', { run: runCommand, now: NOW });
    assert.equal(ctx.readText('status', 100), null);
  });

  it('does not follow a symlink out of the project into /proc, neither for config files nor for the secret scan', async () => {
    const root = makeBareProject();
    dirs.push(root);
    fs.symlinkSync('/proc/self/environ', path.join(root, 'leak.env'));
    fs.symlinkSync('/proc/self/status', path.join(root, 'README.md'));
    const ctx = await loadProjectContext(root, { run: runCommand, now: NOW });
    assert.equal(ctx.readText('README.md'), null);
    const scan = await scanForSecrets(root, ['leak.env']);
    assert.equal(scan.scanned, 0);
    assert.equal(scan.skipped.unreadable, 1);
  });

  it('returns by the deadline with what was measured; the rest says "not measured"', async () => {
    const root = makeRichProject();
    dirs.push(root);
    // git answers everything but `status` (git dimension), and the dependency audit never answers.
    const run: CommandRunner = (cmd, args, opts) => (args.includes('status') ? new Promise(() => {}) : runCommand(cmd, args, opts));
    const q = await assessQuality(root, {
      now: NOW,
      run,
      audit: () => new Promise(() => {}),
      deadlineMs: 3000,
    });
    for (const id of ['dependencies', 'git']) {
      const d = q.dimensions.find((x) => x.id === id)!;
      assert.equal(d.measured, false, id);
      assert.deepEqual(d.evidence, ['not measured: the assessment deadline (3 s) passed first']);
    }
    assert.equal(q.project.git.isRepo, true);
    const docs = q.dimensions.find((d) => d.id === 'docs')!;
    assert.equal(docs.measured, true);
    assert.ok(q.measuredWeight < 100);
  });
});

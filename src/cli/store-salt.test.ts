/**
 * `--store sqlite:PATH` with another `--data-dir` than the one the database belongs to: users would
 * be hashed with the wrong salt file, so a user with data shows none and every user recorded counts
 * as a second one. Every command that hashes users refuses it in one line naming the data directory
 * to give, `doctor` fails its salt check with the same fix, and nothing is recorded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-store-salt-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function run(dataDir: string, args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    input,
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: root, CLAUDE_CONFIG_DIR: path.join(root, 'claude') },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const uses = (out: string) =>
  (JSON.parse(out) as { skills: { skill: string; you: { invocations_all_time: number } | null }[] }).skills.find((s) => s.skill === 'lint')?.you
    ?.invocations_all_time;

describe('a SQLite store opened with another data directory than its own', () => {
  it('is refused by the commands that hash users, naming --data-dir and --store, and failed by doctor', () => {
    const home = path.join(root, 'home');
    const other = path.join(root, 'other');
    const db = path.join(home, 'session-buddy.db');
    for (const session of ['s1', 's2']) assert.equal(run(home, ['record', '--skill', 'lint', '--user', 'user-7', '--session', session]).code, 0);
    assert.equal(run(other, ['init']).code, 0);
    const mine = run(home, ['skills', '--user', 'user-7', '--json']);
    assert.equal(mine.code, 0, mine.err);
    assert.equal(uses(mine.out), 2);
    // The same database named by --store from its own data directory: the same answer.
    assert.equal(uses(run(home, ['--store', `sqlite:${db}`, 'skills', '--user', 'user-7', '--json']).out), 2);

    const refusal = new RegExp(
      `^error: the users of ${db} were hashed with the salt of fingerprint ([0-9a-f]{8}), but ${path.join(other, 'salt')} has fingerprint (?!\\1)[0-9a-f]{8}: ` +
        `hashed with it, each of them would count as a second user; give --data-dir the data directory that database belongs to \\(${home}\\), ` +
        `or --store a database of ${other}; nothing was recorded\\n$`,
    );
    const skills = run(other, ['--store', `sqlite:${db}`, 'skills', '--user', 'user-7', '--json']);
    assert.equal(skills.code, 1, skills.out);
    assert.match(skills.err, refusal);
    assert.equal(skills.out, '');
    const record = run(other, ['--store', `sqlite:${db}`, 'record', '--skill', 'lint', '--user', 'user-7', '--session', 's3']);
    assert.equal(record.code, 1);
    assert.match(record.err, refusal);
    assert.equal(JSON.parse(run(home, ['status', '--json']).out).database.rows.skill_invocations, 2, 'nothing recorded');

    const doctor = run(other, ['--store', `sqlite:${db}`, 'doctor']);
    assert.equal(doctor.code, 1);
    assert.match(
      doctor.out,
      new RegExp(
        `^FAIL  salt fingerprint: the database records that its users were hashed with the salt of fingerprint [0-9a-f]{8}, but ${path.join(other, 'salt')} has fingerprint [0-9a-f]{8}: .*` +
          `; give --data-dir the data directory that database belongs to \\(${home}\\), or --store a database of ${other}$`,
        'm',
      ),
    );
    assert.match(run(home, ['--store', `sqlite:${db}`, 'doctor']).out, /^ok {4}salt fingerprint: /m);
  });
});

describe('a malformed salt file', () => {
  it('is refused by every command in one line naming it and the fix, without a stack trace, and failed by doctor', () => {
    const dataDir = path.join(root, 'malformed');
    assert.equal(run(dataDir, ['record', '--skill', 'lint', '--user', 'u', '--session', 's1']).code, 0);
    const salt = path.join(dataDir, 'salt');
    fs.writeFileSync(path.join(dataDir, 'salt.before-restore-1700000000000'), fs.readFileSync(salt));
    fs.writeFileSync(salt, 'abc');
    const line =
      `error: ${salt} is not a 64-character hex salt (damaged or overwritten); it is not replaced, as every user id would then hash differently: ` +
      `put back the right salt file (a restore kept ${path.join(dataDir, 'salt.before-restore-1700000000000')})\n`;
    for (const args of [
      ['record', '--skill', 'lint', '--user', 'u', '--session', 's2'],
      ['skills', '--json'],
      ['import', '--json'],
      ['merge-data', path.join(root, 'no-such.db')],
    ]) {
      const r = run(dataDir, args);
      assert.equal(r.code, 1, `${args[0]}: ${r.err}`);
      assert.equal(r.err, line, args[0]);
    }
    const doctor = run(dataDir, ['doctor']);
    assert.equal(doctor.code, 1);
    assert.ok(doctor.out.includes(`FAIL  salt file: ${line.slice('error: '.length)}`), doctor.out);
  });
});

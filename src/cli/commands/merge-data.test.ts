/**
 * `merge-data`: an old per-project ./.session-buddy merged into the per-user
 * data directory, deduplicated (a second run adds nothing), with the notice
 * that points at it; a backup of the data directory merged back adds nothing,
 * archived rows included; the rows the source's own `archive` moved into
 * Parquet files are merged too (a missing or changed file is reported, its rows
 * not merged); what it calls deletable is only what was merged.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/session-buddy.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-merge-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const HOME = path.join(root, 'home');
const PROJECT = path.join(root, 'project');
fs.mkdirSync(HOME);
fs.mkdirSync(PROJECT);

function run(args: string[], input?: string, cwd = PROJECT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const inv = (skill: string, key: string | null, duration: number) => ({
  skill_name: skill,
  user_id: 'ann',
  session_id: 's1',
  workflow_phase: 'testing',
  completed: true,
  duration_ms: duration,
  invoked_at: Date.UTC(2026, 0, 5, 10),
  ...(key ? { dedupe_key: key } : {}),
});

describe('merge-data', () => {
  it('merges an old ./.session-buddy into the user data directory once, deduplicated', () => {
    const legacy = path.join(PROJECT, '.session-buddy');
    // The old default: data in the project. Two keyed rows, one without a key.
    assert.equal(
      run(['--data-dir', legacy, 'record', '--json'], JSON.stringify([inv('lint', 'k1', 10), inv('test', 'k2', 20), inv('build', null, 30)])).code,
      0,
    );
    // The user dir already has k1 (captured twice, once in each place).
    assert.equal(run(['record', '--json'], JSON.stringify([inv('lint', 'k1', 10)])).code, 0);

    const status = run(['status', '--json']);
    assert.match(status.err, /holds data from an earlier version/);
    assert.match(status.err, new RegExp(`session-buddy merge-data ${legacy.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.equal(JSON.parse(status.out).data_dir, path.join(HOME, '.session-buddy'));

    const first = run(['merge-data', '.session-buddy', '--json']);
    assert.equal(first.code, 0, first.err);
    const a = JSON.parse(first.out) as { rows: number; inserted: number; duplicates: number; skipped: number };
    assert.deepEqual([a.rows, a.inserted, a.duplicates, a.skipped], [3, 2, 1, 0]); // k1 was there already
    // Merged and unchanged: commands no longer point at it.
    assert.doesNotMatch(run(['status', '--json']).err, /holds data from an earlier version/);
    const again = JSON.parse(run(['merge-data', '.session-buddy', '--json']).out) as { inserted: number; duplicates: number };
    assert.deepEqual([again.inserted, again.duplicates], [0, 3]);
    assert.equal(JSON.parse(run(['status', '--json']).out).database.rows.skill_invocations, 3);
    // New rows written there after the merge: the notice is back.
    assert.equal(run(['--data-dir', legacy, 'record', '--json'], JSON.stringify([inv('lint', 'k9', 10)])).code, 0);
    assert.match(run(['status', '--json']).err, /holds data from an earlier version/);
    const plain = run(['merge-data', '.session-buddy']);
    // The folder's users were hashed with its own salt (its database records it): said in one line.
    assert.match(
      plain.out,
      /1 new, 3 already present\nits users were hashed with another salt \(fingerprint [0-9a-f]{8}; this installation's is [0-9a-f]{8}\).*\n.*is merged and can be deleted/,
    );
    // A call its hooks spooled while no server ran is not in its database yet: the folder is not deletable.
    fs.writeFileSync(path.join(legacy, 'spool.jsonl'), `${JSON.stringify(inv('lint', 'k-spooled', 10))}\n`);
    const spooled = run(['merge-data', '.session-buddy']);
    assert.match(
      spooled.out,
      /\nnot merged: 1 spooled call\(s\) not recorded there yet \(.*\/\.session-buddy\/spool\.jsonl; a server started on that data directory records them, then merge again\); keep /,
    );
    assert.doesNotMatch(spooled.out, /can be deleted/);
    fs.rmSync(path.join(legacy, 'spool.jsonl'));
    // Same user on both sides? Only when the salts agree; here they differ, so the merged rows keep their own hash.
    assert.match(run(['merge-data', path.join(HOME, '.session-buddy')]).err, /source: is the current data directory/);
    // A mistyped folder is an error: nothing is created there, nothing is called deletable.
    const typo = path.join(root, 'no-such-folder');
    const missing = run(['merge-data', typo]);
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /^error: source: no Session Buddy database at .*no-such-folder\/session-buddy\.db/m);
    assert.equal(fs.existsSync(typo), false);
  });

  it('carries reflections, skill cost calls and A/B experiments over too, and keeps a folder whose A/B experiment has a taken name', () => {
    const legacy = path.join(root, 'other', '.session-buddy');
    assert.equal(run(['--data-dir', legacy, 'record', '--json'], JSON.stringify([inv('lint', 'k-other', 10)])).code, 0);
    // What an older installation held besides invocations: a note and an attributed API call.
    const written = Date.UTC(2026, 0, 4, 9);
    const src = new Database(path.join(legacy, 'session-buddy.db'));
    src
      .prepare("INSERT INTO reflections (kind, content, content_hash, tags, files, project, created_at) VALUES ('note', ?, ?, '[\"infra\"]', '[]', ?, ?)")
      .run('Deploys need the VPN up first.', 'h-vpn', 'shop', written);
    // The same note kept for a second project there: a reflection of that project here too.
    src
      .prepare("INSERT INTO reflections (kind, content, content_hash, tags, files, project, created_at) VALUES ('note', ?, ?, '[]', '[]', ?, ?)")
      .run('Deploys need the VPN up first.', 'h-vpn', 'web', written + 1);
    src
      .prepare(
        `INSERT INTO skill_cost_calls (key, skill, attribution, user_hash, session_key, invocation_id, model, at, input_tokens, output_tokens,
           cache_write_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd) VALUES ('msg_1:bounded', 'skill:deploy', 'bounded', 'uh', 's1', 'toolu_1', 'claude-sonnet-4-5', ?, 10, 20, 30, 0, 40, 0.5)`,
      )
      .run(written);
    src.close();

    const first = JSON.parse(run(['merge-data', legacy, '--json']).out) as {
      reflections: { rows: number; inserted: number };
      costCalls: { rows: number; inserted: number };
      notMerged: unknown[];
    };
    assert.deepEqual(
      [first.reflections, first.costCalls, first.notMerged],
      [{ rows: 2, inserted: 2, duplicates: 0 }, { rows: 1, inserted: 1, duplicates: 0 }, []],
    );
    const target = new Database(path.join(HOME, '.session-buddy', 'session-buddy.db'), { readonly: true });
    try {
      assert.deepEqual(target.prepare("SELECT content, tags, project, created_at FROM reflections WHERE content_hash = 'h-vpn' ORDER BY id").all(), [
        { content: 'Deploys need the VPN up first.', tags: '["infra"]', project: 'shop', created_at: written },
        { content: 'Deploys need the VPN up first.', tags: '[]', project: 'web', created_at: written + 1 },
      ]);
      assert.deepEqual(target.prepare("SELECT api_calls, cost_usd FROM skill_cost_invocations WHERE invocation_id = 'toolu_1'").get(), {
        api_calls: 1,
        cost_usd: 0.5,
      });
    } finally {
      target.close();
    }

    // A/B experiments are merged too, with their assignments and outcomes, deduplicated.
    const again = new Database(path.join(legacy, 'session-buddy.db'));
    const experiment = (name: string, variants: string) =>
      again
        .prepare(
          "INSERT INTO ab_experiments (name, variants, traffic_split, metric, min_sample_size, status, created_at) VALUES (?, ?, '[0.5,0.5]', 'success_rate', 10, 'stopped', 1)",
        )
        .run(name, variants).lastInsertRowid;
    const x = experiment('x', '["a","b"]');
    again.prepare("INSERT INTO ab_assignments (experiment_id, user_hash, variant, assigned_at) VALUES (?, 'uh1', 'a', 2), (?, 'uh2', 'b', 3)").run(x, x);
    // Two equal outcomes of one user at one time are two outcomes (not one doubled).
    again
      .prepare(
        "INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at) VALUES (?, 'uh1', 'a', 1, 4), (?, 'uh1', 'a', 1, 4), (?, 'uh2', 'b', 0.25, 5)",
      )
      .run(x, x, x);
    again.close();
    const outcomes = () => {
      const t = new Database(path.join(HOME, '.session-buddy', 'session-buddy.db'), { readonly: true });
      try {
        return t
          .prepare(
            `SELECT e.name, e.status, o.user_hash, o.variant, o.value, o.recorded_at FROM ab_outcomes o JOIN ab_experiments e ON e.id = o.experiment_id ORDER BY o.id`,
          )
          .all();
      } finally {
        t.close();
      }
    };
    const plain = run(['merge-data', legacy]);
    assert.equal(plain.code, 0, plain.err);
    assert.match(
      plain.out,
      /2 reflection\(s\), 0 new, 2 already present; 1 skill cost call\(s\), 0 new, 1 already present; 1 A\/B experiment\(s\), 1 new, 0 already present; 2 A\/B assignment\(s\), 2 new, 0 already present; 3 A\/B outcome\(s\), 3 new, 0 already present\n/,
    );
    assert.match(plain.out, /is merged and can be deleted/);
    const merged = [
      { name: 'x', status: 'stopped', user_hash: 'uh1', variant: 'a', value: 1, recorded_at: 4 },
      { name: 'x', status: 'stopped', user_hash: 'uh1', variant: 'a', value: 1, recorded_at: 4 },
      { name: 'x', status: 'stopped', user_hash: 'uh2', variant: 'b', value: 0.25, recorded_at: 5 },
    ];
    assert.deepEqual(outcomes(), merged);
    // A second merge adds nothing.
    const second = JSON.parse(run(['merge-data', legacy, '--json']).out) as Record<string, unknown>;
    assert.deepEqual(
      [second.experiments, second.abAssignments, second.abOutcomes, second.notMerged],
      [{ rows: 1, inserted: 0, duplicates: 1 }, { rows: 2, inserted: 0, duplicates: 2 }, { rows: 3, inserted: 0, duplicates: 3 }, []],
    );
    assert.deepEqual(outcomes(), merged);

    // An experiment whose name a different experiment has here is not merged: the folder is not called deletable.
    const target2 = new Database(path.join(HOME, '.session-buddy', 'session-buddy.db'));
    target2
      .prepare(
        "INSERT INTO ab_experiments (name, variants, traffic_split, metric, min_sample_size, status, created_at) VALUES ('y', '[\"p\",\"q\"]', '[0.5,0.5]', 'success_rate', 10, 'running', 1)",
      )
      .run();
    target2.close();
    const source2 = new Database(path.join(legacy, 'session-buddy.db'));
    const y = source2
      .prepare(
        "INSERT INTO ab_experiments (name, variants, traffic_split, metric, min_sample_size, status, created_at) VALUES ('y', '[\"a\",\"b\"]', '[0.5,0.5]', 'success_rate', 10, 'running', 1)",
      )
      .run().lastInsertRowid;
    source2.prepare("INSERT INTO ab_outcomes (experiment_id, user_hash, variant, value, recorded_at) VALUES (?, 'uh1', 'a', 1, 6)").run(y);
    source2.close();
    const conflict = run(['merge-data', legacy]);
    assert.equal(conflict.code, 0, conflict.err);
    assert.match(
      conflict.out,
      /; 2 A\/B experiment\(s\), 0 new, 1 already present; 2 A\/B assignment\(s\), 0 new, 2 already present; 4 A\/B outcome\(s\), 0 new, 3 already present\n/,
    );
    assert.match(
      conflict.out,
      /not merged: 1 A\/B experiments whose name a different experiment has here \(y\), 1 A\/B outcomes \(of those experiments, or of users assigned another variant here\); keep /,
    );
    assert.doesNotMatch(conflict.out, /can be deleted/);
    assert.deepEqual(outcomes(), merged);
    assert.doesNotMatch(
      run(['--data-dir', path.join(HOME, '.session-buddy'), 'status', '--json'], undefined, path.dirname(legacy)).err,
      /holds data from an earlier version/,
    );
  });

  it('finds the rows of a backup of the data directory present, archived ones too, and speaks of a backup file, never of a folder holding the data', () => {
    const r = path.join(root, 'r');
    const data = path.join(r, 'a');
    const recent = Date.now() - 3_600_000;
    // Rows without a dedupe key (as seed-demo and most API clients write them), two of them old enough to archive.
    const rows = [
      inv('lint', null, 10),
      inv('test', null, 20),
      { ...inv('build', null, 30), invoked_at: recent },
      { ...inv('lint', 'k-r', 40), invoked_at: recent },
    ];
    assert.equal(run(['--data-dir', data, 'record', '--json'], JSON.stringify(rows)).code, 0);
    const backup = path.join(r, 'mybackup.db');
    assert.equal(run(['--data-dir', data, 'backup', backup]).code, 0);
    const count = () => JSON.parse(run(['--data-dir', data, 'status', '--json']).out).database.rows.skill_invocations as number;
    type Summary = { rows: number; inserted: number; duplicates: number; archived: number; possiblyArchived: { rows: number }; notMerged: unknown[] };
    const merge = (src: string) => {
      const out = run(['--data-dir', data, 'merge-data', src, '--json']);
      assert.equal(out.code, 0, out.err);
      const s = JSON.parse(out.out) as Summary;
      return [s.rows, s.inserted, s.duplicates, s.archived, s.possiblyArchived.rows, s.notMerged.length];
    };

    // The backup holds the same rows: nothing is new, and the file (not /tmp/…/r, which holds the data) is what may go.
    const plain = run(['--data-dir', data, 'merge-data', backup]);
    assert.equal(plain.code, 0, plain.err);
    assert.match(plain.out, /: 4 row\(s\), 0 new, 4 already present/);
    assert.match(plain.out, new RegExp(`\n${backup.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is merged and can be deleted\n$`));
    assert.doesNotMatch(plain.out, new RegExp(`${r}( |\n)`));
    assert.equal(fs.existsSync(path.join(r, 'merged-into.json')), false);
    assert.equal(count(), 4);
    // A database file is one whatever its name.
    const renamed = path.join(r, 'mybackup.sqlite');
    fs.copyFileSync(backup, renamed);
    assert.match(run(['--data-dir', data, 'merge-data', renamed]).out, /0 new, 4 already present\n.*mybackup\.sqlite is merged and can be deleted\n$/);
    fs.rmSync(renamed);
    // The same file as the database of a folder that holds the data directory: the folder is not named either.
    fs.copyFileSync(backup, path.join(r, 'session-buddy.db'));
    const folder = run(['--data-dir', data, 'merge-data', r]);
    assert.match(folder.out, /0 new, 4 already present\n.*\/r\/session-buddy\.db is merged and can be deleted\n$/);
    assert.equal(fs.existsSync(path.join(r, 'merged-into.json')), false);

    // `archive` moves the two old rows out of the raw table (its rollups keep counting them): they are present still.
    const archived = run(['--data-dir', data, 'archive', '--older-than', '30d']);
    assert.match(archived.out, /archived 2 invocations/, archived.err);
    assert.deepEqual(merge(backup), [4, 0, 4, 2, 0, 0]);
    assert.equal(count(), 2);
    // Its file gone, whether they are archived cannot be told: they are not merged, and the backup is to be kept.
    const archiveDir = path.join(data, 'archive');
    const [file] = fs.readdirSync(archiveDir).filter((f) => f.endsWith('.parquet'));
    fs.renameSync(path.join(archiveDir, file!), path.join(r, file!));
    const missing = run(['--data-dir', data, 'merge-data', backup]);
    assert.match(missing.out, /: 4 row\(s\), 0 new, 2 already present/);
    assert.match(
      missing.out,
      /not merged: 2 invocations that may be archived here, in files that are missing \(.*\.parquet; put them back and merge again\); keep .*mybackup\.db while you need them\n$/,
    );
    assert.equal(count(), 2);
    // Put back, it is read again.
    fs.renameSync(path.join(r, file!), path.join(archiveDir, file!));
    assert.deepEqual(merge(backup), [4, 0, 4, 2, 0, 0]);

    // Merged elsewhere, the data directory's archived rows are carried over too: the folder may go.
    const elsewhere = run(['--data-dir', path.join(root, 'elsewhere'), 'merge-data', data]);
    assert.equal(elsewhere.code, 0, elsewhere.err);
    assert.match(elsewhere.out, /: 4 row\(s\) \(2 of them from 1 archive file\(s\) there\), 4 new, 0 already present/);
    assert.match(elsewhere.out, /\/r\/a is merged and can be deleted/);

    // A data directory moved elsewhere: its archive files are found by name in its archive/ folder.
    const moved = path.join(r, 'moved');
    fs.renameSync(data, moved);
    const again = JSON.parse(run(['--data-dir', moved, 'merge-data', backup, '--json']).out) as { inserted: number; archived: number };
    assert.deepEqual([again.inserted, again.archived], [0, 2]);
  });

  it('keeps what the source did not measure unmeasured: typed activations stay typed, unmatched calls stay without a duration', () => {
    const r = path.join(root, 'unmeasured');
    const src = path.join(r, 'source');
    const dst = path.join(r, 'target');
    const at = Date.UTC(2026, 0, 6, 10);
    const rows = [
      { ...inv('skill:deploy', 'm1', 800), invoked_at: at, trigger: 'model' },
      { ...inv('skill:deploy', 'm2', 0), invoked_at: at + 1, trigger: 'typed', slash_after_miss: true },
      { ...inv('Bash', 'm3', 0), invoked_at: at + 2, metadata: { duration_source: 'unknown' } },
      { ...inv('Bash', 'm4', 0), invoked_at: at + 3, completed: false, error_type: 'no_result' },
    ];
    assert.equal(run(['--data-dir', src, 'record', '--json'], JSON.stringify(rows)).code, 0);
    // m4: a call the source store holds as not measured (an import's call that never reported back, written before
    // its metadata said so): the merge keeps it so.
    const s = new Database(path.join(src, 'session-buddy.db'));
    s.prepare("UPDATE skill_invocations SET duration_known = 0 WHERE dedupe_key = 'm4'").run();
    s.close();
    const merged = run(['--data-dir', dst, 'merge-data', src, '--json']);
    assert.equal(merged.code, 0, merged.err);
    const t = new Database(path.join(dst, 'session-buddy.db'), { readonly: true });
    try {
      assert.deepEqual(
        t.prepare('SELECT dedupe_key, activation_trigger, slash_after_miss, duration_known FROM skill_invocations ORDER BY invoked_at').raw().all(),
        [
          ['m1', 'model', null, 1],
          ['m2', 'typed', 1, 0],
          ['m3', null, null, 0],
          ['m4', null, null, 0],
        ],
      );
      // Its latency: skill:deploy's measured call only; Bash has none.
      assert.deepEqual(t.prepare('SELECT invocations, timed, duration_sum FROM skill_totals ORDER BY skill_id').raw().all(), [
        [2, 1, 800],
        [2, 0, 0],
      ]);
    } finally {
      t.close();
    }
  });

  it("merges the invocations the source's `archive` moved into Parquet files: the target's figures are the source's, once", () => {
    const r = path.join(root, 'arch');
    const src = path.join(r, 'source');
    const day = 86_400_000;
    const now = Date.now();
    const at = (daysAgo: number, i: number) => now - daysAgo * day + i * 60_000;
    // Two generations of old rows (two archive runs, two files) and live ones: keyed, keyless, typed, unmeasured, failed.
    const rows = [0, 100, 400].flatMap((daysAgo) => [
      { ...inv('skill:deploy', `d${daysAgo}-1`, 800), invoked_at: at(daysAgo, 0), trigger: 'model' },
      { ...inv('skill:deploy', `d${daysAgo}-2`, 0), invoked_at: at(daysAgo, 1), trigger: 'typed', slash_after_miss: true },
      { ...inv('Bash', null, 120), invoked_at: at(daysAgo, 2), user_id: `u${daysAgo}` },
      { ...inv('Bash', `d${daysAgo}-4`, 0), invoked_at: at(daysAgo, 3), metadata: { duration_source: 'unknown' } },
      { ...inv('lint', `d${daysAgo}-5`, 40), invoked_at: at(daysAgo, 4), completed: false, error_type: 'boom', session_id: `s${daysAgo}` },
    ]);
    assert.equal(run(['--data-dir', src, 'record', '--json'], JSON.stringify(rows)).code, 0);
    for (const age of ['300d', '30d']) {
      const a = run(['--data-dir', src, 'archive', '--older-than', age]);
      assert.match(a.out, /archived 5 invocations/, a.err);
    }
    const files = fs
      .readdirSync(path.join(src, 'archive'))
      .filter((f) => f.endsWith('.parquet'))
      .sort();
    assert.equal(files.length, 2);

    // Every rollup of a store, by skill name, and its raw rows (live only: what is archived is not there).
    const figures = (dir: string) => {
      const db = new Database(path.join(dir, 'session-buddy.db'), { readonly: true });
      try {
        const rollup = (table: string) =>
          (db.prepare(`SELECT s.name, t.* FROM ${table} t JOIN skills s ON s.id = t.skill_id`).all() as Array<Record<string, unknown>>)
            .map(({ skill_id: _id, ...x }) => JSON.stringify(x))
            .sort();
        return {
          rollups: Object.fromEntries(
            ['skill_totals', 'skill_daily', 'skill_hourly', 'skill_phase_totals', 'skill_trigger_hourly', 'skill_durations'].map((t) => [t, rollup(t)]),
          ),
          users: db.prepare('SELECT count(*) FROM users').pluck().get(),
        };
      } finally {
        db.close();
      }
    };
    const raw = (dir: string) => {
      const db = new Database(path.join(dir, 'session-buddy.db'), { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM skill_invocations').pluck().get() as number;
      } finally {
        db.close();
      }
    };
    const source = figures(src);
    assert.equal(raw(src), 5);

    const dst = path.join(r, 'target');
    const first = run(['--data-dir', dst, 'merge-data', src]);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /: 15 row\(s\) \(10 of them from 2 archive file\(s\) there\), 15 new, 0 already present\n/);
    assert.match(first.out, /\/source is merged and can be deleted/);
    assert.deepEqual(figures(dst), source);
    assert.equal(raw(dst), 15);
    // A typed activation archived there stays typed (and unmeasured); a keyless row is merged under merge:<id>.
    const t = new Database(path.join(dst, 'session-buddy.db'), { readonly: true });
    try {
      assert.deepEqual(
        t.prepare("SELECT activation_trigger, slash_after_miss, duration_known FROM skill_invocations WHERE dedupe_key = 'd400-2'").raw().get(),
        ['typed', 1, 0],
      );
      assert.equal(t.prepare("SELECT count(*) FROM skill_invocations WHERE dedupe_key LIKE 'merge:%'").pluck().get(), 3);
    } finally {
      t.close();
    }
    // A second merge adds nothing.
    const second = JSON.parse(run(['--data-dir', dst, 'merge-data', src, '--json']).out) as Record<string, unknown>;
    assert.deepEqual([second.rows, second.fromArchives, second.inserted, second.duplicates, second.notMerged], [15, { files: 2, rows: 10 }, 0, 15, []]);
    assert.deepEqual(figures(dst), source);

    // A file gone: its rows are not merged, the file is named, and the source is to be kept.
    const folder = path.join(src, 'archive');
    fs.renameSync(path.join(folder, files[0]!), path.join(r, files[0]!));
    const gone = run(['--data-dir', path.join(r, 'target-2'), 'merge-data', src]);
    assert.equal(gone.code, 0, gone.err);
    assert.match(gone.out, /: 10 row\(s\) \(5 of them from 1 archive file\(s\) there\), 10 new, 0 already present\n/);
    assert.match(
      gone.out,
      new RegExp(`\nnot merged: 5 archived invocations in .*/${files[0]!.replace(/\./g, '\\.')} \\(file not found\\); keep .*/source while you need them\n$`),
    );
    assert.equal(raw(path.join(r, 'target-2')), 10);
    fs.renameSync(path.join(r, files[0]!), path.join(folder, files[0]!));
    // Put back, its rows are merged: the rest, once.
    assert.match(
      run(['--data-dir', path.join(r, 'target-2'), 'merge-data', src]).out,
      /: 15 row\(s\) .*, 5 new, 10 already present\n[\s\S]*\/source is merged and can be deleted/,
    );
    assert.deepEqual(figures(path.join(r, 'target-2')), source);

    // A file whose bytes changed fails its checksum: not merged, said why.
    const changed = path.join(folder, files[1]!);
    const bytes = fs.readFileSync(changed);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    fs.writeFileSync(changed, bytes);
    const bad = run(['--data-dir', path.join(r, 'target-3'), 'merge-data', src, '--json']);
    assert.equal(bad.code, 0, bad.err);
    const b = JSON.parse(bad.out) as { rows: number; inserted: number; fromArchives: unknown; notMerged: Array<{ what: string; rows: number }> };
    assert.deepEqual([b.rows, b.inserted, b.fromArchives], [10, 10, { files: 1, rows: 5 }]);
    assert.equal(b.notMerged.length, 1);
    assert.equal(b.notMerged[0]!.rows, 5);
    assert.match(
      b.notMerged[0]!.what,
      /^archived invocations in .*\.parquet \(its sha256 is not the one recorded when it was written: the file was changed\)$/,
    );
    assert.doesNotMatch(run(['--data-dir', path.join(r, 'target-3'), 'merge-data', src]).out, /can be deleted/);
  });

  it("says when the source records another salt than this installation's: its users count as separate users here", () => {
    const s = path.join(root, 's');
    const mine = path.join(s, 'mine');
    const theirs = path.join(s, 'theirs');
    assert.equal(run(['--data-dir', theirs, 'record', '--json'], JSON.stringify([inv('lint', 'k-t', 10)])).code, 0);
    assert.equal(run(['--data-dir', mine, 'record', '--json'], JSON.stringify([inv('lint', 'k-m', 10)])).code, 0);
    // A backup records the fingerprint of its installation's salt (and says it).
    const backup = (dir: string) => {
      const file = path.join(s, `${path.basename(dir)}.db`);
      const r = run(['--data-dir', dir, 'backup', file]);
      assert.equal(r.code, 0, r.err);
      return { file, fingerprint: /fingerprint ([0-9a-f]{8})/.exec(r.out)![1]! };
    };
    const [{ file: theirBackup, fingerprint: t }, { file: myBackup, fingerprint: m }] = [backup(theirs), backup(mine)];
    assert.notEqual(t, m);

    const other = run(['--data-dir', mine, 'merge-data', theirBackup]);
    assert.equal(other.code, 0, other.err);
    assert.equal(
      other.out.split('\n')[1],
      `its users were hashed with another salt (fingerprint ${t}; this installation's is ${m}): they count as separate users here`,
    );
    assert.match(other.out, /: 1 row\(s\), 1 new, 0 already present\n.*\n.*theirs\.db is merged and can be deleted\n$/);
    assert.deepEqual((JSON.parse(run(['--data-dir', mine, 'merge-data', theirBackup, '--json']).out) as { otherSalt: unknown }).otherSalt, {
      source: t,
      here: m,
    });
    // A data directory's own database records its salt as well.
    assert.match(run(['--data-dir', mine, 'merge-data', theirs]).out, new RegExp(`another salt \\(fingerprint ${t}; this installation's is ${m}\\)`));
    // Its own backup (the same salt), or a source that records none (made by an older version): nothing said.
    const same = run(['--data-dir', mine, 'merge-data', myBackup]);
    assert.equal(same.code, 0, same.err);
    assert.doesNotMatch(same.out, /another salt/);
    const older = path.join(s, 'older.db');
    fs.copyFileSync(theirBackup, older);
    const db = new Database(older);
    db.prepare("DELETE FROM settings WHERE key = 'user_salt_fingerprint'").run();
    db.close();
    assert.doesNotMatch(run(['--data-dir', mine, 'merge-data', older]).out, /another salt/);
  });
});

describe('merge-data on a disk that fills mid-run', () => {
  it('does not claim that nothing was written: what it merged stays, and a re-run adds the rest', async () => {
    const { mergeError } = await import('./merge-data.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-merge-full-'));
    try {
      const sqliteFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      const e = mergeError(sqliteFull, dir) as { code: string; message: string; cause: unknown };
      assert.equal(e.code, 'DISK_FULL');
      assert.doesNotMatch(e.message, /nothing was written/);
      assert.equal(
        e.message,
        "disk full: free space on the data directory's file system, then run merge-data again: what it merged before the disk filled stays merged, and the re-run adds only the rest",
      );
      assert.equal(e.cause, sqliteFull);
      const other = Object.assign(new Error('boom'), { code: 'EIO' });
      assert.equal(mergeError(other, dir), other);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

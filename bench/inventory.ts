/**
 * Cost of `session-buddy inventory` on a large configuration: a generated
 * ~/.claude with SKILLS skills (SKILL.md of ~2 KiB each), 300 commands, 100
 * subagents and a plugin of 50 skills, descriptions of 20 Zipf-distributed
 * words with 50 planted near-duplicates; readSkillInventory runs RUNS times
 * (median reported), then nearDuplicates on the same descriptions against a
 * comparison of every pair.
 *
 *   npm run bench:inventory            # 1000 skills
 *   npm run bench:inventory -- 5000    # more skills
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nearDuplicates, wordShingles } from '../src/analytics/description-duplicates.js';
import { mulberry32 } from '../src/analytics/prng.js';
import { jaccard } from '../src/analytics/text-similarity.js';
import { readSkillInventory } from '../src/capture/skill-inventory.js';

const SKILLS = Number(process.argv[2] ?? 1000);
const RUNS = 5;
const rand = mulberry32(18);
const vocabulary = Array.from({ length: 3000 }, (_, i) => `word${i}`);
const description = () => Array.from({ length: 20 }, () => vocabulary[Math.floor(rand() ** 2.5 * vocabulary.length)]).join(' ');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-inventory-'));
const home = path.join(root, 'home');
const claude = path.join(home, '.claude');
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};
const body = 'A line of instructions that is never loaded up front.\n'.repeat(40);
const texts: string[] = [];
for (let i = 0; i < SKILLS; i++) {
  const d = i % 20 === 1 && i < 1000 ? texts[i - 1]!.replace(/\S+$/, 'changed') : description();
  texts.push(d);
  write(path.join(claude, 'skills', `skill-${i}`, 'SKILL.md'), `---\nname: skill-${i}\ndescription: ${d}\n---\n${body}`);
}
for (let i = 0; i < 300; i++) write(path.join(claude, 'commands', `group-${i % 10}`, `command-${i}.md`), `---\ndescription: ${description()}\n---\n${body}`);
for (let i = 0; i < 100; i++) write(path.join(claude, 'agents', `agent-${i}.md`), `---\nname: agent-${i}\ndescription: ${description()}\n---\n${body}`);
const plugin = path.join(claude, 'plugins', 'cache', 'mp', 'big', '1');
for (let i = 0; i < 50; i++) write(path.join(plugin, 'skills', `p-${i}`, 'SKILL.md'), `---\nname: p-${i}\ndescription: ${description()}\n---\n${body}`);
write(path.join(claude, 'plugins', 'installed_plugins.json'), JSON.stringify({ version: 2, plugins: { 'big@mp': [{ scope: 'user', installPath: plugin }] } }));

const times: number[] = [];
let items = 0;
let withDuplicates = 0;
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  const inv = await readSkillInventory({ claudeDirs: [claude], projectDir: null, homeDir: home });
  times.push(performance.now() - t);
  items = inv.items.length;
  withDuplicates = inv.items.filter((i) => i.duplicates.length > 0).length;
}
times.sort((a, b) => a - b);
console.log(
  `readSkillInventory: ${items} items, ${withDuplicates} with near-duplicates, median ${times[Math.floor(RUNS / 2)]!.toFixed(0)} ms of ${RUNS} runs (min ${times[0]!.toFixed(0)} ms)`,
);

const all = [...texts];
let t = performance.now();
const found = nearDuplicates(all);
const prefixMs = performance.now() - t;
t = performance.now();
const sets = all.map((x) => wordShingles(x));
let pairs = 0;
for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++) if (jaccard(sets[i]!, sets[j]!) >= 0.6) pairs++;
const everyMs = performance.now() - t;
console.log(
  `near-duplicates of ${all.length} descriptions: prefix filter ${prefixMs.toFixed(0)} ms (${found.flat().length / 2} pairs), every pair ${everyMs.toFixed(0)} ms (${pairs} pairs)`,
);
console.log(`load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
fs.rmSync(root, { recursive: true, force: true });

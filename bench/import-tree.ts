/**
 * Generates a realistic Claude Code configuration tree for the import bench:
 * <root>/projects/<project>/<session>.jsonl with the line shapes Claude Code
 * writes (user prompts; assistant lines, one per content block, with
 * message.id, model, usage and requestId; user tool_result lines with
 * toolUseResult; summary and file-history-snapshot lines; some subagent
 * sidechains; the `attributionSkill` stamp Claude Code puts on the calls after
 * a Skill call until the next prompt), long tool results (file contents, command output), some
 * failed calls. Deterministic for a given seed. File mtimes are set to the
 * session's last timestamp (days ago), as on a real machine.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../src/analytics/prng.js';

export interface TreeSpec {
  root: string;
  totalBytes: number;
  files: number;
  /** Size of the one big session file. */
  bigFileBytes: number;
  seed: number;
}

export interface TreeInfo {
  files: string[];
  bigFile: string;
  bytes: number;
  lines: number;
  toolCalls: number;
}

const WORDS =
  'const let return function import export from async await if else for while class interface type string number boolean null undefined true false new this throw catch try finally switch case default break continue yield static public private readonly extends implements'.split(
    ' ',
  );
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];

/** A few MB of text shaped like source files and command output (quotes, tabs, newlines, some non-ASCII). */
function textPool(rand: () => number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < 4 * 1024 * 1024) {
    const indent = '  '.repeat(Math.floor(rand() * 4));
    const n = 3 + Math.floor(rand() * 10);
    const words: string[] = [];
    for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
    const r = rand();
    let line = `${indent}${words.join(' ')}`;
    if (r < 0.2) line += ` "${words[0]}\\n" + '${words[1]}';`;
    else if (r < 0.3) line += `\t// ${words.slice(0, 3).join(' ')} — ok ✓`;
    else if (r < 0.4) line = `PASS src/${words[0]}/${words[1]}.test.ts (${(rand() * 3).toFixed(2)} s)`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join('\n');
}

function uuid(rand: () => number): string {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function id(rand: () => number, prefix: string, len = 24): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = prefix;
  for (let i = 0; i < len; i++) s += abc[Math.floor(rand() * abc.length)];
  return s;
}

/** Result length: mostly short, a long tail up to ~250 KB. */
function resultLength(rand: () => number): number {
  const r = rand();
  if (r < 0.45) return 80 + Math.floor(rand() * 900);
  if (r < 0.8) return 1000 + Math.floor(rand() * 6000);
  if (r < 0.95) return 8000 + Math.floor(rand() * 30_000);
  return 40_000 + Math.floor(rand() * 210_000);
}

class SessionWriter {
  private parent: string | null = null;
  /** The skill stamped on assistant lines (set after a Skill call, cleared by a prompt). */
  private stamp: string | null = null;
  private t: number;
  private buf: string[] = [];
  private bufBytes = 0;
  bytes = 0;
  lines = 0;
  toolCalls = 0;
  private readonly fd: number;

  constructor(
    readonly file: string,
    private readonly rand: () => number,
    private readonly pool: string,
    private readonly sessionId: string,
    private readonly cwd: string,
    start: number,
  ) {
    this.t = start;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'w');
  }

  get lastTime(): number {
    return this.t;
  }

  private common(sidechain: string | null) {
    const u = uuid(this.rand);
    const c = {
      parentUuid: this.parent,
      isSidechain: sidechain !== null,
      userType: 'external',
      cwd: this.cwd,
      sessionId: this.sessionId,
      version: '2.0.31',
      gitBranch: 'main',
      ...(sidechain ? { agentId: sidechain } : {}),
    };
    this.parent = u;
    return { c, u };
  }

  private push(obj: unknown): void {
    const line = `${JSON.stringify(obj)}\n`;
    this.buf.push(line);
    const n = Buffer.byteLength(line);
    this.bufBytes += n;
    this.bytes += n;
    this.lines++;
    if (this.bufBytes > 4 * 1024 * 1024) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.bufBytes = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.fd);
    const m = new Date(this.t);
    fs.utimesSync(this.file, m, m);
  }

  private tick(maxSec: number): string {
    this.t += Math.floor(200 + this.rand() * maxSec * 1000);
    return new Date(this.t).toISOString();
  }

  private text(len: number): string {
    const start = Math.floor(this.rand() * (this.pool.length - len - 1));
    return this.pool.slice(Math.max(0, start), Math.max(0, start) + len);
  }

  prompt(): void {
    this.stamp = null;
    const { c, u } = this.common(null);
    this.push({ ...c, type: 'user', message: { role: 'user', content: this.text(40 + Math.floor(this.rand() * 400)) }, uuid: u, timestamp: this.tick(60) });
  }

  meta(): void {
    if (this.rand() < 0.5) this.push({ type: 'summary', summary: this.text(60), leafUuid: uuid(this.rand) });
    else
      this.push({
        type: 'file-history-snapshot',
        messageId: uuid(this.rand),
        snapshot: { messageId: uuid(this.rand), trackedFileBackups: {}, timestamp: new Date(this.t).toISOString() },
        isSnapshotUpdate: false,
      });
  }

  /** One assistant turn: optional text, 1-3 tool calls (one line each, one message.id), then their results. */
  turn(sidechain: string | null = null): void {
    const msgId = id(this.rand, 'msg_01');
    const requestId = id(this.rand, 'req_011C');
    const model = MODELS[Math.floor(this.rand() * MODELS.length)]!;
    const usage = () => ({
      input_tokens: 4 + Math.floor(this.rand() * 20),
      cache_creation_input_tokens: Math.floor(this.rand() * 4000),
      cache_read_input_tokens: Math.floor(this.rand() * 90_000),
      cache_creation: { ephemeral_5m_input_tokens: Math.floor(this.rand() * 4000), ephemeral_1h_input_tokens: 0 },
      output_tokens: 20 + Math.floor(this.rand() * 800),
      service_tier: 'standard',
    });
    const assistant = (content: unknown[]) => {
      const { c, u } = this.common(sidechain);
      this.push({
        ...c,
        message: { model, id: msgId, type: 'message', role: 'assistant', content, stop_reason: null, stop_sequence: null, usage: usage() },
        requestId,
        ...(this.stamp ? { attributionSkill: this.stamp } : {}),
        type: 'assistant',
        uuid: u,
        timestamp: this.tick(2),
      });
    };
    if (this.rand() < 0.3) assistant([{ type: 'thinking', thinking: this.text(200 + Math.floor(this.rand() * 1500)), signature: id(this.rand, 'Eu', 120) }]);
    if (this.rand() < 0.6) assistant([{ type: 'text', text: this.text(50 + Math.floor(this.rand() * 600)) }]);
    const calls = this.rand() < 0.8 ? 1 : 2 + Math.floor(this.rand() * 2);
    const made: Array<{ tid: string; tool: string; input: Record<string, unknown> }> = [];
    let skill: string | null = null;
    for (let i = 0; i < calls; i++) {
      const tid = id(this.rand, 'toolu_01');
      const pick = this.rand();
      const file = `${this.cwd}/src/${WORDS[Math.floor(this.rand() * WORDS.length)]}.ts`;
      const [tool, input]: [string, Record<string, unknown>] =
        pick < 0.3
          ? ['Read', { file_path: file }]
          : pick < 0.55
            ? ['Bash', { command: this.rand() < 0.4 ? 'npm test' : 'git status', description: 'Run it' }]
            : pick < 0.65
              ? ['Grep', { pattern: 'export', path: `${this.cwd}/src`, output_mode: 'content' }]
              : pick < 0.75
                ? ['Edit', { file_path: file, old_string: this.text(80), new_string: this.text(90) }]
                : pick < 0.8
                  ? ['Glob', { pattern: '**/*.ts' }]
                  : pick < 0.85
                    ? ['Task', { subagent_type: 'Explore', description: 'Find usages', prompt: this.text(300) }]
                    : pick < 0.88
                      ? ['Skill', { skill: 'code-review' }]
                      : pick < 0.93
                        ? ['mcp__session-buddy__get_real_time_metrics', { limit: 10 }]
                        : pick < 0.97
                          ? ['TodoWrite', { todos: [{ content: this.text(40), status: 'pending', activeForm: this.text(30) }] }]
                          : ['WebFetch', { url: 'https://example.com/docs', prompt: 'summarise' }];
      made.push({ tid, tool, input });
      if (tool === 'Skill') skill = String(input.skill);
      assistant([{ type: 'tool_use', id: tid, name: tool, input }]);
      this.toolCalls++;
    }
    // Claude Code stamps the calls after the one that made the Skill call.
    if (skill) this.stamp = skill;
    for (const { tid, tool, input } of made) {
      const { c, u } = this.common(sidechain);
      const failed = this.rand() < 0.06;
      const out = failed ? `Error: Exit code 1\n${this.text(200)}` : this.text(resultLength(this.rand));
      const toolUseResult =
        tool === 'Read'
          ? {
              type: 'text',
              file: { filePath: input.file_path, content: out, numLines: out.split('\n').length, startLine: 1, totalLines: out.split('\n').length },
            }
          : tool === 'Bash'
            ? { stdout: out, stderr: '', interrupted: false, isImage: false }
            : failed
              ? `Error: ${out.slice(0, 200)}`
              : { filenames: [], durationMs: Math.floor(this.rand() * 900), numFiles: 0, truncated: false };
      this.push({
        ...c,
        type: 'user',
        message: { role: 'user', content: [{ tool_use_id: tid, type: 'tool_result', content: out, ...(failed ? { is_error: true } : {}) }] },
        uuid: u,
        timestamp: this.tick(tool === 'Bash' ? 30 : 3),
        toolUseResult,
      });
    }
  }
}

/** Writes a session until it reaches `bytes`; returns its counts. */
function writeSession(file: string, bytes: number, rand: () => number, pool: string, start: number, cwd: string): SessionWriter {
  const w = new SessionWriter(file, rand, pool, path.basename(file, '.jsonl'), cwd, start);
  while (w.bytes < bytes) {
    if (w.lines === 0 || rand() < 0.15) w.prompt();
    if (rand() < 0.03) w.meta();
    w.turn(rand() < 0.1 ? `a${Math.floor(rand() * 1e6).toString(16)}` : null);
  }
  w.close();
  return w;
}

export function generateTree(spec: TreeSpec): TreeInfo {
  const rand = mulberry32(spec.seed);
  const pool = textPool(rand);
  fs.rmSync(spec.root, { recursive: true, force: true });
  const projects = Array.from({ length: 40 }, (_, i) => `-home-dev-work-project-${i}`);
  // Sizes of the other files: log-normal, scaled to the remaining bytes.
  const n = spec.files - 1;
  const raw = Array.from({ length: n }, () => Math.exp(1.2 * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())));
  const scale = (spec.totalBytes - spec.bigFileBytes) / raw.reduce((s, x) => s + x, 0);
  const info: TreeInfo = { files: [], bigFile: '', bytes: 0, lines: 0, toolCalls: 0 };
  const now = Date.now();
  for (let i = 0; i <= n; i++) {
    const big = i === 0;
    const project = projects[big ? 0 : Math.floor(rand() * projects.length)]!;
    const file = path.join(spec.root, 'projects', project, `${uuid(rand)}.jsonl`);
    // Sessions end before now (a big one spans days): the tracker refuses calls dated in the future.
    const start = now - (big ? 60 : 10 + rand() * 50) * 86_400_000;
    const w = writeSession(
      file,
      big ? spec.bigFileBytes : Math.max(2000, raw[i - 1]! * scale),
      rand,
      pool,
      start,
      `/home/dev/work/${project.split('-').pop()}`,
    );
    info.files.push(file);
    if (big) info.bigFile = file;
    info.bytes += w.bytes;
    info.lines += w.lines;
    info.toolCalls += w.toolCalls;
  }
  return info;
}

/** Appends about `bytes` of further turns to a session file (mtime: now). */
export function appendToSession(file: string, bytes: number, seed: number): number {
  const rand = mulberry32(seed);
  const pool = textPool(rand);
  const tmp = `${file}.append-${crypto.randomBytes(4).toString('hex')}`;
  const w = new SessionWriter(tmp, rand, pool, path.basename(file, '.jsonl'), '/home/dev/work/0', Date.now() - 6 * 3_600_000);
  while (w.bytes < bytes) w.turn();
  w.close();
  fs.appendFileSync(file, fs.readFileSync(tmp));
  fs.rmSync(tmp);
  return w.bytes;
}

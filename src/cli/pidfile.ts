/**
 * The running server's pid file in the data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { processAlive } from '../process-alive.js';

export interface PidInfo {
  pid: number;
  host: string;
  port: number;
  startedAt: string;
  /**
   * Whether the server demands the access token on its HTTP routes (/mcp, /api, /v1): its bind is
   * not loopback, or it was started with --ws-require-token (or the variable). Another shell's
   * environment cannot tell (a flag is not in it): mcp-config and otel-config read it here.
   * Absent in a file written before it was recorded.
   */
  tokenRequired?: boolean;
}

const PID_FILE = 'server.pid';
export const LOG_FILE = 'server.log';

export function pidFilePath(dataDir: string): string {
  return path.join(dataDir, PID_FILE);
}

export function readPidFile(dataDir: string): PidInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(pidFilePath(dataDir), 'utf8')) as PidInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export function writePidFile(dataDir: string, info: PidInfo): void {
  fs.writeFileSync(pidFilePath(dataDir), JSON.stringify(info), { mode: 0o600 });
}

export function removePidFile(dataDir: string, pid: number): void {
  const current = readPidFile(dataDir);
  if (current?.pid === pid) fs.rmSync(pidFilePath(dataDir), { force: true });
}

/**
 * The fields of /proc/PID/stat from the third on (state, ppid, …), or null where /proc cannot tell.
 * The command name (field 2) is in parentheses and may hold spaces: fields are counted after its ')'.
 */
function procStat(pid: number): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * When a process started (ms since the epoch), from its /proc stat fields: its start in clock ticks
 * after boot (field 22, USER_HZ = 100 on every Linux architecture Node runs on) plus the boot time
 * (`btime` of /proc/stat, whole seconds). Null where /proc cannot tell.
 */
function processStartMs(fields: readonly string[] | null): number | null {
  if (fields === null) return null;
  try {
    const ticks = Number(fields[19]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/** Whether a live process's stat fields say it exited but was not reaped yet (state Z). */
const isZombie = (fields: readonly string[] | null): boolean => fields?.[0] === 'Z';

/**
 * Whether `pid` is alive: a process that exited but was not reaped yet (a zombie, state Z in
 * /proc: in a container without an init that reaps, it stays one for a while) is not.
 */
export function serverProcessAlive(pid: number): boolean {
  return processAlive(pid) && !isZombie(procStat(pid));
}

/**
 * Whether the pid file's process is the server that wrote it. A server killed without cleaning up
 * (SIGKILL, a crash, a reboot) leaves its pid file, and the pid may since belong to another
 * process: one that started after the server recorded `startedAt` (the server writes it once
 * listening, so it started before) is not the server. Where the start time is unknown (no /proc,
 * an unreadable startedAt), a live process is taken to be the server.
 */
export function isRecordedServer(info: PidInfo): boolean {
  if (!processAlive(info.pid)) return false;
  const fields = procStat(info.pid);
  if (isZombie(fields)) return false;
  const started = processStartMs(fields);
  const recorded = Date.parse(info.startedAt);
  // 2 s of slack: btime is whole seconds, ticks are 10 ms.
  return started === null || !Number.isFinite(recorded) || started <= recorded + 2000;
}

/** The live server recorded in the pid file, or null (a stale file, or one whose pid now names another process, is ignored). */
export function runningServer(dataDir: string): PidInfo | null {
  const info = readPidFile(dataDir);
  return info && isRecordedServer(info) ? info : null;
}

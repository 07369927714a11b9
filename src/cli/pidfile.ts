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
}

const PID_FILE = 'server.pid';
export const LOG_FILE = 'server.log';

function pidFilePath(dataDir: string): string {
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
 * When the process `pid` started (ms since the epoch), from Linux's /proc: its start in clock ticks
 * after boot (field 22 of /proc/PID/stat, USER_HZ = 100 on every Linux architecture Node runs on)
 * plus the boot time (`btime` of /proc/stat, whole seconds). Null where /proc cannot tell.
 */
function processStartMs(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after its ')'.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : null;
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is alive: a process that exited but was not reaped yet (a zombie, state Z in
 * /proc: in a container without an init that reaps, it stays one for a while) is not.
 */
export function serverProcessAlive(pid: number): boolean {
  if (!processAlive(pid)) return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Whether the pid file's process is the server that wrote it. A server killed without cleaning up
 * (SIGKILL, a crash, a reboot) leaves its pid file, and the pid may since belong to another
 * process: one that started after the server recorded `startedAt` (the server writes it once
 * listening, so it started before) is not the server. Where the start time is unknown (no /proc,
 * an unreadable startedAt), a live process is taken to be the server.
 */
export function isRecordedServer(info: PidInfo): boolean {
  if (!serverProcessAlive(info.pid)) return false;
  const started = processStartMs(info.pid);
  const recorded = Date.parse(info.startedAt);
  // 2 s of slack: btime is whole seconds, ticks are 10 ms.
  return started === null || !Number.isFinite(recorded) || started <= recorded + 2000;
}

/** The live server recorded in the pid file, or null (a stale file, or one whose pid now names another process, is ignored). */
export function runningServer(dataDir: string): PidInfo | null {
  const info = readPidFile(dataDir);
  return info && isRecordedServer(info) ? info : null;
}

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

/** The live server recorded in the pid file, or null (a stale file is ignored). */
export function runningServer(dataDir: string): PidInfo | null {
  const info = readPidFile(dataDir);
  return info && processAlive(info.pid) ? info : null;
}

import os from 'node:os';

/** The default user id for captured invocations: the OS account name. */
export function osUserName(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

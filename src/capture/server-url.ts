/** Base URL a client uses to reach the local server; wildcard binds are reached via loopback. */
export function serverBaseUrl(host: string, port: number): string {
  let h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
  return `http://${h}:${port}`;
}

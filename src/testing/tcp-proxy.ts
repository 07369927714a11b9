/**
 * A TCP proxy on a free loopback port in front of a server (Redis in the fan-out tests), which can
 * drop the connections it carries and refuse new ones for a while: a lost connection, on demand.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every connection carried now and refuses new ones until `accept()`. */
  cut(): void;
  /** Takes connections again. */
  accept(): void;
  /** Connections accepted so far (refused ones not counted). */
  accepted(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let refusing = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (refusing) return client.destroy();
    accepted++;
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      refusing = true;
      for (const s of open) s.destroy();
    },
    accept() {
      refusing = false;
    },
    accepted: () => accepted,
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Whether something listens on 127.0.0.1:`port` (a test skips with a reason when not). */
export function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(500, () => {
      s.destroy();
      resolve(false);
    });
  });
}

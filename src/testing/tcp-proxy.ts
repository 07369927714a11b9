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
  /**
   * Stops carrying bytes without closing anything, as a network cut or a stopped host does: the
   * connections stay open and new ones are accepted, but nothing reaches the other side until `resume()`.
   */
  stall(): void;
  /** Carries the bytes held since `stall()` and what follows. */
  resume(): void;
  /** Connections accepted so far (refused ones not counted). */
  accepted(): number;
  /** Connections refused so far (while cut). */
  refused(): number;
  /**
   * Resolves once the proxy has taken in (accepted or refused) every connection begun before the call,
   * e.g. one a client was still opening while it was closed: a probe connection, opened now and so queued
   * behind them, has reached it. The probe counts neither as accepted nor as refused.
   */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let refusing = false;
  let stalled = false;
  let accepted = 0;
  let refused = 0;
  /** While settle() waits: the client port of each connection taken in since, and whether it was accepted. */
  let taken: Map<number, boolean> | null = null;
  let onTaken: (() => void) | null = null;
  /** Both directions of every connection: [from, to]. */
  const links: Array<[net.Socket, net.Socket]> = [];
  const server = net.createServer((client) => {
    taken?.set(client.remotePort ?? 0, !refusing);
    onTaken?.();
    if (refusing) {
      refused++;
      return client.destroy();
    }
    accepted++;
    const upstream = net.connect(target);
    open.add(client).add(upstream);
    links.push([client, upstream], [upstream, client]);
    if (stalled) {
      client.pause();
      upstream.pause();
    } else client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      for (let i = links.length - 1; i >= 0; i--) if (links[i]![0] === client || links[i]![0] === upstream) links.splice(i, 1);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    cut() {
      refusing = true;
      for (const s of open) s.destroy();
    },
    accept() {
      refusing = false;
    },
    stall() {
      stalled = true;
      for (const [from, to] of links) {
        from.unpipe(to);
        from.pause();
      }
    },
    resume() {
      stalled = false;
      for (const [from, to] of links) from.pipe(to);
    },
    accepted: () => accepted,
    refused: () => refused,
    async settle() {
      const seen = new Map<number, boolean>();
      taken = seen;
      try {
        const probe = net.connect({ host: '127.0.0.1', port });
        await new Promise<void>((resolve, reject) => probe.once('connect', resolve).once('error', reject));
        const probePort = probe.localPort ?? 0;
        await new Promise<void>((resolve) => {
          onTaken = () => seen.has(probePort) && resolve();
          onTaken();
        });
        if (seen.get(probePort)) accepted--;
        else refused--;
        probe.destroy();
      } finally {
        taken = null;
        onTaken = null;
      }
    },
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

/**
 * The dedicated Prometheus port (`--metrics-port`): a bare node:http server
 * that answers GET /metrics and nothing else, so the scrape path never
 * competes with MCP traffic on the main port and can be firewalled apart.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AccessPolicy } from '../server/access-policy.js';
import type { MetricsExporter } from './metrics-exporter.js';

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(
  exporter: MetricsExporter,
  host: string,
  port: number,
  logger: Logger,
  access: AccessPolicy | null = null,
): Promise<MetricsServer> {
  let actualPort: number | null = null;
  const server = http.createServer((req, res) => {
    serveRequest(req, res).catch((err: unknown) => {
      logger.error('metrics request failed', { err });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('request failed\n');
    });
  });
  const serveRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    const decision = access ? await access.check('metrics', actualPort, req.headers, new URL(req.url ?? '/', 'http://localhost')) : ({ ok: true } as const);
    if (!decision.ok) {
      res.writeHead(decision.status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${decision.reason}\n`);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET /metrics is served on this port\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // As on the main port (server/http-methods.ts): a known path asked with another method.
      res
        .writeHead(405, { 'Content-Type': 'text/plain; charset=utf-8', Allow: 'GET, HEAD' })
        .end(`${req.method} is not served on /metrics; it serves GET, HEAD\n`);
      return;
    }
    exporter.metrics().then(
      (body) => {
        res.writeHead(200, { 'Content-Type': exporter.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger.error('metrics collection failed', { err });
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      },
    );
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new AppError('CONFLICT', `metrics port ${port} on ${host} is already in use (try another --metrics-port)`) : err);
    });
    server.listen(port, host, () => resolve());
  });
  actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    port: actualPort,
    url: `http://${urlHost}:${actualPort}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

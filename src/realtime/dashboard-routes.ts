/**
 * The live web dashboard: three static files (plain HTML, JS and CSS, no
 * build step, no third-party code, no network access besides the same
 * origin's /ws, /api/skill-report and, to tell why the stream is down,
 * /health) read from src/realtime/dashboard/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hono } from 'hono';
import { packageRoot } from '../package-root.js';
import type { HttpMount } from '../server/http-server.js';

const FILES = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
} as const;
type DashboardFile = keyof typeof FILES;

/** Locks the page down to its own origin: own scripts and styles, /ws, nothing else. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function dashboardDir(): URL {
  return pathToFileURL(path.join(packageRoot(), 'src', 'realtime', 'dashboard') + path.sep);
}

export function createDashboardMount(dir: URL = dashboardDir()): HttpMount {
  // Read once at start-up: the files are small and fixed for a release.
  const content = new Map<DashboardFile, string>();
  for (const name of Object.keys(FILES) as DashboardFile[]) content.set(name, fs.readFileSync(new URL(name, dir), 'utf8'));
  const headers = (name: DashboardFile) => ({
    'Content-Type': FILES[name],
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': DASHBOARD_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  return {
    routes(hono: Hono) {
      hono.get('/', (c) => c.body(content.get('index.html')!, 200, headers('index.html')));
      hono.get('/dashboard/:file', (c) => {
        const name = c.req.param('file');
        if (!Object.hasOwn(FILES, name)) return c.notFound();
        return c.body(content.get(name as DashboardFile)!, 200, headers(name as DashboardFile));
      });
    },
  };
}

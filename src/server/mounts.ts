/**
 * The HTTP components mounted next to /health and /mcp.
 */
import type { App } from '../app.js';
import type { HttpMount } from './http-server.js';

export async function defaultMounts(_app: App): Promise<HttpMount[]> {
  return [];
}

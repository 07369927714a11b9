import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from './package-root.js';

export const VERSION: string = (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

/** Whether this process runs the bundle in dist/ or the TypeScript sources (through tsx): this module's own file tells. */
export const RUNNING_FROM_SOURCES: boolean = import.meta.url.endsWith('.ts');

/**
 * The node-gyp command that builds the addon in `dir`, offline: node-gyp ships with npm beside the
 * running Node.js, and builds against that Node.js's own headers when it has them
 * (<prefix>/include/node), or against npm's `nodedir` setting, instead of downloading them.
 * Null when node-gyp is not there.
 */
import fs from 'node:fs';
import path from 'node:path';

export function nodeGypRebuild(dir) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const nodeGyp = [process.env.npm_config_node_gyp, path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find(
    (p) => p && fs.existsSync(p),
  );
  if (!nodeGyp) return null;
  const args = [nodeGyp, 'rebuild', '--directory', dir];
  if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  return args;
}

/**
 * The layering, one way only (README "Design"):
 *   cli → server / realtime / fanout (and the composition root, app.ts) → mcp
 *       → services (insights, session, memory, capture, tracking, maintenance)
 *       → store → analytics → base (src/*.ts)
 * A module may import its own layer and the layers below it, never above.
 * Also: no import cycles (type-only imports included), analytics/ stays pure
 * (no I/O, no database drivers), database drivers only in store/, and only tests
 * use src/testing/.
 */
const layers = [
  ['base', ['^src/[^/]+\\.ts$'], ['^src/app\\.ts$']],
  ['analytics', ['^src/analytics/']],
  ['store', ['^src/store/']],
  ['services', ['^src/(insights|session|memory|capture|tracking|maintenance)/']],
  ['mcp', ['^src/mcp/']],
  ['edge', ['^src/(server|realtime|fanout)/', '^src/app\\.ts$']],
  ['cli', ['^src/cli/']],
];
const notTest = '\\.test\\.ts$';
const forbidden = [
  { name: 'no-circular', severity: 'error', comment: 'an import cycle', from: {}, to: { circular: true } },
  {
    name: 'analytics-is-pure',
    severity: 'error',
    comment: 'analytics/ computes from values it is given: no I/O, no database, no process state',
    from: { path: '^src/analytics/', pathNot: notTest },
    to: { dependencyTypes: ['core', 'npm'], pathNot: '^(node:)?(crypto)$' },
  },
  {
    name: 'database-drivers-only-in-store',
    severity: 'error',
    comment: 'SQL lives in store/ only: nothing else opens a database driver',
    from: { path: '^src/', pathNot: ['^src/store/', notTest, '^src/testing/'] },
    to: { path: 'node_modules/(better-sqlite3|pg|pg-[a-z-]+)/' },
  },
  {
    name: 'testing-only-from-tests',
    severity: 'error',
    comment: 'src/testing/ holds test support; product code must not depend on it',
    from: { path: '^src/', pathNot: [notTest, '^src/testing/'] },
    to: { path: '^src/testing/' },
  },
];
layers.forEach(([name, paths, except = []], i) => {
  const above = layers.slice(i + 1).flatMap(([, p]) => p);
  if (above.length === 0) return;
  forbidden.push({
    name: `${name}-imports-no-higher-layer`,
    severity: 'error',
    comment: `${name} may import only its own layer and those below it`,
    from: { path: paths, pathNot: [notTest, ...except] },
    to: { path: above },
  });
});

module.exports = {
  forbidden,
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/realtime/dashboard/' },
  },
};

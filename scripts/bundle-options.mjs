/**
 * The esbuild options every bundle of the project's code is built with: dist/ (scripts/build.mjs)
 * and the import bench's read side (bench/import.ts), so that both run the same code, optimized
 * the same way.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
};

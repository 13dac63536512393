// Bundles the extension into out/extension.js (vscode stays external: VS Code provides it),
// or, with --unit-tests, each tests/extension/unit/*.test.ts into out/unit-tests/ for `node --test`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');

if (process.argv.includes('--unit-tests')) {
  const dir = 'tests/extension/unit';
  rmSync('out/unit-tests', { recursive: true, force: true });
  await build({
    entryPoints: readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => `${dir}/${f}`),
    outdir: 'out/unit-tests',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Pure modules only: importing vscode from a unit test is a mistake worth failing on.
    logLevel: 'warning',
  });
} else {
  await build({
    entryPoints: ['extension/extension.ts'],
    outfile: 'out/extension.js',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    minify: production,
    sourcemap: !production,
    logLevel: 'warning',
  });
  if (production) {
    rmSync('out/extension.js.map', { force: true });
  }
}

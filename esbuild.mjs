// Bundles the extension into out/extension.js and out/languageclient.js (vscode stays
// external: VS Code provides it),
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
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], minify: production, logLevel: 'warning' };
  // vscode-languageclient is most of the code; it gets its own file, required only when the
  // server starts (client.ts imports it dynamically), so activation parses a small bundle.
  await build({
    ...common,
    stdin: { contents: "module.exports = require('vscode-languageclient/node');", resolveDir: '.', loader: 'js' },
    outfile: 'out/languageclient.js',
  });
  await build({
    ...common,
    entryPoints: ['extension/extension.ts'],
    outfile: 'out/extension.js',
    sourcemap: !production,
    plugins: [
      {
        name: 'languageclient-apart',
        setup(builder) {
          builder.onResolve({ filter: /^vscode-languageclient\/node$/ }, () => ({ path: './languageclient.js', external: true }));
        },
      },
    ],
  });
  if (production) {
    rmSync('out/extension.js.map', { force: true });
  }
}

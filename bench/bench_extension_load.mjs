// How long the extension's code takes to load, without VS Code around it: each sample is a
// fresh Node process that requires a production bundle with a stand-in `vscode` module:
// out/extension.js at activation, out/languageclient.js when the server starts (beside the
// interpreter check, see extension/client.ts). activate() itself and VS Code's own "Activation" figure (loading plus
// activate(), with VS Code's scheduling) are measured in a real VS Code by
// tests/extension/e2e/run.mjs.
// Run: node esbuild.mjs --production && node bench/bench_extension_load.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLES = 15;

// Runs in the child (the bundle's path is its argument): any property, call or `new` on the stand-in returns another stand-in.
const child = `
const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
const standIn = () => new Proxy(function () {}, {
  get: (_, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => '' : standIn()),
  apply: () => standIn(),
  construct: () => standIn(),
});
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: standIn() };
const started = performance.now();
const bundle = require(process.argv[1]);
const loaded = performance.now();
if (Object.keys(bundle).length === 0) throw new Error('the bundle exports nothing');
process.stdout.write(JSON.stringify({ load: loaded - started }));
process.exit(0);
`;

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const name of ['extension.js', 'languageclient.js']) {
  const bundle = fileURLToPath(new URL(`../out/${name}`, import.meta.url));
  const load = [];
  for (let i = 0; i < SAMPLES; i++) {
    load.push(JSON.parse(execFileSync(process.execPath, ['-e', child, bundle], { encoding: 'utf8' })).load);
  }
  console.log(`load (require out/${name}): median ${median(load).toFixed(1)} ms, max ${Math.max(...load).toFixed(1)} ms (${SAMPLES} fresh Node processes)`);
}

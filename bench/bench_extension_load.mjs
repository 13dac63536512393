// How long the extension's code takes to load, without VS Code around it: each sample is a
// fresh Node process that requires the production bundle (out/extension.js) with a stand-in
// `vscode` module. activate() itself and VS Code's own "Activation" figure (loading plus
// activate(), with VS Code's scheduling) are measured in a real VS Code by
// tests/extension/e2e/run.mjs.
// Run: node esbuild.mjs --production && node bench/bench_extension_load.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLES = 15;
const bundle = fileURLToPath(new URL('../out/extension.js', import.meta.url));

// Runs in the child: any property, call or `new` on the stand-in returns another stand-in.
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
const extension = require(${JSON.stringify(bundle)});
const loaded = performance.now();
if (typeof extension.activate !== 'function') throw new Error('no activate()');
process.stdout.write(JSON.stringify({ load: loaded - started }));
process.exit(0);
`;

const samples = [];
for (let i = 0; i < SAMPLES; i++) {
  samples.push(JSON.parse(execFileSync(process.execPath, ['-e', child], { encoding: 'utf8' })));
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const max = (values) => Math.max(...values);
const load = samples.map((s) => s.load);
console.log(`extension load (require out/extension.js): median ${median(load).toFixed(1)} ms, max ${max(load).toFixed(1)} ms (${SAMPLES} fresh Node processes)`);

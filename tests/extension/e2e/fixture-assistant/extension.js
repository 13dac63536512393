// A test-only extension that calls Vidurai's chat-facing API from inside VS Code's extension
// host, as a chat would: the language model tools (vscode.lm) and the MCP server definition.
// assistant.mjs installs it, writes config.json (what to expect) into its folder and runs its
// command from the palette; each check's outcome goes to results.json as it finishes, and the
// runner answers the confirmation dialogs in the browser. (Not extensionTestsPath: code-server
// honours that only with its smoke-test-driver option, which hides notification toasts, and in
// a test window VS Code answers every dialog itself, so a confirmation could not be refused.)
const { spawn } = require('node:child_process');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const vscode = require('vscode');

const RESULTS = join(__dirname, 'results.json');
let config;
let results;

function record(name, ok, detail) {
  results.push({ name, ok, detail: detail === undefined ? undefined : String(detail) });
  writeFileSync(RESULTS, JSON.stringify(results, null, 2));
}

async function check(name, body) {
  try {
    await body();
    record(name, true);
  } catch (error) {
    record(name, false, error && error.stack ? error.stack : error);
  }
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** Waits until the runner is ready to answer the next dialog (a scenario starts by pressing
 * Escape, which would answer a dialog shown too early). */
async function whenRunnerReady(step) {
  while (!existsSync(join(__dirname, `ready-${step}`))) {
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function invoke(tool, input) {
  const result = await vscode.lm.invokeTool(tool, { input, toolInvocationToken: undefined });
  return result.content.map((part) => part.value).join('');
}

/** Starts a definition's command exactly as given and speaks MCP to it over stdio. */
async function mcpSession(definition, messages) {
  const child = spawn(definition.command, definition.args, {
    cwd: definition.cwd ? definition.cwd.fsPath : undefined,
    env: { ...process.env, ...definition.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(messages.map((message) => JSON.stringify(message)).join('\n') + '\n');
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code === 0, `the MCP server exited with ${code}: ${stderr}`);
  return stdout.trim().split('\n').map((line) => JSON.parse(line));
}

const handshake = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list' },
];

function nextDefinitions(api) {
  // The provider tells VS Code when its definitions change; wait for that, then ask again.
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(api.mcpServerDefinitions()), 5000);
    const listener = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('vidurai.assistant')) {
        clearTimeout(timer);
        listener.dispose();
        resolve(api.mcpServerDefinitions());
      }
    });
  });
}

async function runChecks() {
  config = JSON.parse(readFileSync(join(__dirname, 'config.json'), 'utf8'));
  results = [];
  const extension = vscode.extensions.getExtension('vidurai.vidurai');
  const api = await extension.activate();

  await check('the tools are listed in vscode.lm.tools', async () => {
    const names = vscode.lm.tools.map((tool) => tool.name);
    expect(names.includes('vidurai_recall') && names.includes('vidurai_remember'), `lm.tools: ${names.join(', ')}`);
    const recall = vscode.lm.tools.find((tool) => tool.name === 'vidurai_recall');
    expect(/before changing code/i.test(recall.description), `recall's description: ${recall.description}`);
    expect(recall.inputSchema && recall.inputSchema.properties.query, 'recall has no input schema');
  });

  await check('vidurai_recall finds the seeded memory, compactly, and reads it in full by id', async () => {
    const found = await invoke('vidurai_recall', { query: 'exponential backoff' });
    const line = `#${config.backoff.id} · ${config.backoff.salience} · app.py:4 · ${config.backoff.gists.ai}`;
    expect(found.split('\n').includes(line), `expected the line "${line}" in:\n${found}`);
    expect(!found.includes(config.unrelated.gists.ai), `a memory that does not match was listed:\n${found}`);
    const full = await invoke('vidurai_recall', { id: config.backoff.id });
    expect(full.includes(config.backoff.gists.manager), `the full memory lacks its manager gist:\n${full}`);
    await vscode.lm.invokeTool('vidurai_recall', { input: {}, toolInvocationToken: undefined }).then(
      () => expect(false, 'an empty recall did not fail'),
      (error) => expect(/query/.test(String(error)), `unclear error: ${error}`),
    );
  });

  await check('vidurai_remember: Cancel in the confirmation stores nothing', async () => {
    await whenRunnerReady('declined');
    const declined = await invoke('vidurai_remember', { note: config.declinedNote, file: 'app.py', line: 5 }).then(
      () => false,
      (error) => error instanceof vscode.CancellationError || /cancel/i.test(String(error)),
    );
    expect(declined, 'the tool ran although the user cancelled');
    const after = await invoke('vidurai_recall', { query: config.declinedNote });
    const listed = after.split('\n').slice(1); // the first line repeats the query
    expect(!listed.some((line) => line.includes('idempotency')), `the declined note was stored:\n${after}`);
  });

  await check('vidurai_remember: after the user confirms, the note is stored at its line', async () => {
    await whenRunnerReady('accepted');
    const answer = await invoke('vidurai_remember', { note: config.acceptedNote, file: 'app.py', line: 5 });
    expect(/^Remembered #\d+ \(\w+, app\.py:5\)/.test(answer), `unexpected answer: ${answer}`);
    const recalled = await invoke('vidurai_recall', { query: config.acceptedNote });
    expect(recalled.includes('app.py:5'), `the note is not recalled at its line:\n${recalled}`);
  });

  await check('the MCP definition starts, as given, a read-only server that answers tools/list', async () => {
    const [definition, ...others] = await api.mcpServerDefinitions();
    expect(definition && others.length === 0, 'expected one definition for one folder');
    expect(definition.command === config.python, `command ${definition.command}, not the language server's ${config.python}`);
    const args = definition.args.join(' ');
    expect(args === `-m vidurai mcp --project ${config.workspace} --db ${config.database}`, `args: ${args}`);
    expect(/\+[0-9a-f]{12}$/.test(definition.version), `version: ${definition.version}`);
    const [init, tools] = await mcpSession(definition, handshake);
    expect(init.result.serverInfo.name === 'vidurai', JSON.stringify(init));
    const names = tools.result.tools.map((tool) => tool.name).sort().join(',');
    expect(names === 'get_context,get_memory,list_recent,search_memories', `tools/list: ${names}`);
    const [, found] = await mcpSession(definition, [
      ...handshake.slice(0, 2),
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'search_memories', arguments: { query: 'exponential backoff' } } },
    ]);
    const ids = found.result.structuredContent.memories.map((memory) => memory.id);
    expect(ids[0] === config.backoff.id, `search_memories: ${JSON.stringify(found.result)}`);
  });

  await check('allowing writes changes the definition\'s version and adds remember; turning it off gives none', async () => {
    const settings = vscode.workspace.getConfiguration('vidurai');
    const [readOnly] = await api.mcpServerDefinitions();
    try {
      const changed = nextDefinitions(api);
      await settings.update('assistant.allowWrites', true, vscode.ConfigurationTarget.Global);
      const [writable] = await changed;
      expect(writable.args.includes('--allow-write'), `args: ${writable.args.join(' ')}`);
      expect(writable.version !== readOnly.version, `the version stayed ${readOnly.version}`);
      const [, tools] = await mcpSession(writable, handshake);
      expect(tools.result.tools.some((tool) => tool.name === 'remember'), 'no remember tool with writes allowed');
      const off = nextDefinitions(api);
      await settings.update('assistant.mcpServer', false, vscode.ConfigurationTarget.Global);
      expect((await off).length === 0, 'definitions were still given with vidurai.assistant.mcpServer off');
    } finally {
      await settings.update('assistant.allowWrites', undefined, vscode.ConfigurationTarget.Global);
      await settings.update('assistant.mcpServer', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  record('done', true);
}

exports.activate = (context) => {
  context.subscriptions.push(
    vscode.commands.registerCommand('viduraiTests.checkChatApi', () => {
      void runChecks().catch((error) => record('the checks ran to the end', false, error && error.stack));
    }),
  );
};

// End-to-end tests in a real VS Code: code-server with the packaged .vsix installed, on a fixture
// workspace whose memories are seeded with the `vidurai` CLI, driven through headless Chromium
// by playwright-core as a person would (activity bar, palette, tree, hovers, context menu).
// Needs scripts/e2e-env.sh to have been sourced (it installs and exports the tools).
// Prints `N passed, N failed`, the measured figures, and saves a screenshot of each final
// state in test-results/e2e/. Exits non-zero when a scenario fails.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assistantScenarios, packageAssistantFixture } from './assistant.mjs';
import { editorScenarios, editorScenariosLast } from './editorScenarios.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const { VIDURAI_E2E_NODE24: node24, VIDURAI_E2E_CODE_SERVER: codeServerEntry, VIDURAI_E2E_PLAYWRIGHT: playwrightDir } =
  process.env;
if (!node24 || !codeServerEntry || !playwrightDir) {
  console.error('e2e: source scripts/e2e-env.sh first (it installs code-server, Node 24 and playwright-core).');
  process.exit(2);
}
const { chromium } = createRequire(import.meta.url)(playwrightDir);
// The repo's venv has the vidurai CLI that seeds memories; VS Code runs the server with the
// system Python and the libraries bundled in the .vsix, as a user's machine would, plus the
// optional embedding packages a user installs for search by meaning (see semanticLibs).
const cliPython = join(repoRoot, '.venv', 'bin', 'python');
const userPython = process.env.VIDURAI_E2E_USER_PYTHON || '/usr/bin/python3';
const HOVER_DELAY_MS = 300; // VS Code's default editor.hover.delay, set explicitly below
const STEP_TIMEOUT_MS = 20_000;
/** How the Settings editor shows vidurai.hover.enabled (its description in package.json). */
const HOVER_SETTING_DESCRIPTION = 'Show a hover with the memories of a line';

const work = mkdtempSync(join(tmpdir(), 'vidurai-e2e-'));
const workspace = join(work, 'workspace');
const database = join(work, 'memory.db');
const results = [];
const figures = {};
const suiteStarted = Date.now();
let codeServer;
let browser;

// ---------- the fixture workspace and its seeded memories ----------

const FILES = {
  'app.py': [
    'import time',
    '',
    '',
    'def retry_with_backoff(call, attempts=5):',
    '    for attempt in range(attempts):',
    '        try:',
    '            return call()',
    '        except TimeoutError:',
    '            time.sleep(2 ** attempt)',
    '    raise TimeoutError("gave up")',
    '',
  ],
  'auth/middleware.py': [
    'def validate_token(token, issuer):',
    '    if token.issuer != issuer:',
    '        raise PermissionError("wrong issuer")',
    '    return token.claims',
    '',
  ],
  'utils.py': [
    'from datetime import datetime, timezone',
    '',
    '',
    'def parse_date(text):',
    '    return datetime.fromisoformat(text).astimezone(timezone.utc)',
    '',
    '',
    'def slugify(title):',
    '    return "-".join(title.lower().split())',
    '',
  ],
};

function makeWorkspace() {
  for (const [file, lines] of Object.entries(FILES)) {
    mkdirSync(dirname(join(workspace, file)), { recursive: true });
    writeFileSync(join(workspace, file), lines.join('\n'));
  }
}

function cli(...args) {
  return JSON.parse(
    execFileSync(cliPython, ['-m', 'vidurai', ...args, '--db', database, '--project', workspace, '--json'], {
      encoding: 'utf8',
    }),
  );
}

/** Seeds a note at a 1-based line; returns its id and every audience's gist. */
function seed(note, file, line) {
  const { id } = cli('remember', note, '--file', file, '--line', String(line));
  return { id, file, line, gists: cli('gists', String(id)).gists };
}

// ---------- code-server ----------

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function startCodeServer(vsixPaths) {
  const port = await freePort();
  const userData = join(work, 'user-data');
  const extensionsDir = join(work, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(work, 'config.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const settings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.tips.enabled': false,
    'editor.hover.delay': HOVER_DELAY_MS,
    'vidurai.databasePath': database,
    'vidurai.pythonPath': userPython,
  };
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const baseArgs = [
    codeServerEntry,
    '--config',
    join(work, 'config.yaml'),
    '--user-data-dir',
    userData,
    '--extensions-dir',
    extensionsDir,
  ];
  const env = { ...process.env, PATH: `${dirname(node24)}:${process.env.PATH}`, PYTHONPATH: semanticLibs() };
  for (const vsix of vsixPaths) {
    execFileSync(node24, [...baseArgs, '--install-extension', vsix], { env, stdio: 'pipe' });
  }
  const log = join(work, 'code-server.log');
  const out = openSync(log, 'w');
  // Its own process group, so stopping it also stops its file watcher and extension host.
  const child = spawn(
    node24,
    [...baseArgs, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', workspace],
    { env, detached: true, stdio: ['ignore', out, out] },
  );
  codeServer = { child, port, userData, log };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) {
        return codeServer;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`code-server did not answer on port ${port}; see ${log}`);
}

/**
 * Search by meaning (issue #15) needs numpy, tokenizers and wordllama, which the .vsix does not
 * carry (they are native, per platform): a user installs them into their interpreter. Here they
 * go, once, into an ignored folder for the user Python's version, put on its PYTHONPATH.
 */
function semanticLibs() {
  const version = execFileSync(userPython, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  }).trim();
  const dir = join(repoRoot, '.cache', `e2e-semantic-py${version}`);
  if (!existsSync(join(dir, '.installed'))) {
    rmSync(dir, { recursive: true, force: true });
    execFileSync(
      cliPython,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:',
        '--python-version', version, '--target', dir, 'wordllama==0.4.0.post1', 'numpy==2.4.6', 'tokenizers==0.23.3'],
      { stdio: 'pipe' },
    );
    writeFileSync(join(dir, '.installed'), '');
  }
  return dir;
}

function stopCodeServer() {
  if (codeServer?.child.pid) {
    try {
      process.kill(-codeServer.child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

/** Process ids of the Vidurai servers that this run's code-server started. */
function runningServers() {
  const pids = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (commandLine.includes('vidurai\0serve') && readFileSync(`/proc/${pid}/environ`, 'utf8').includes(work)) {
        pids.push(pid);
      }
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** The extension's log of each window (each extension host), oldest first. */
function extensionLogs() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
      } else if (entry.name.endsWith('Vidurai.log')) {
        found.push(path);
      }
    }
  };
  try {
    walk(join(codeServer.userData, 'logs'));
  } catch {
    return [];
  }
  return found.map((path) => readFileSync(path, 'utf8'));
}

/** The Vidurai output channel's logs of every window, as one text. */
function extensionLog() {
  return extensionLogs().join('\n');
}

// ---------- driving the workbench as a person would ----------

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

async function runPaletteCommand(page, title) {
  await page.keyboard.press('Escape');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('F1');
  if (!(await input.isVisible())) {
    // Focus inside a webview (a Markdown preview) can swallow F1: give it back to the workbench.
    await input.waitFor({ state: 'visible', timeout: 2000 }).catch(async () => {
      await page.locator('.part.statusbar').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('F1');
    });
  }
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press('Enter');
}

/** Closes the active editor with its tab's close button, as a person would. */
async function closeActiveEditor(page) {
  const tab = page.locator('.tab.active');
  await tab.hover();
  await tab.locator('.tab-actions .action-label').first().click();
}

/**
 * Answers the quick pick or input box that a command opened: types `text`, waits for a row
 * showing `expectRow` (none for an input box), presses Enter, and with `closes` waits until
 * the widget is gone (the next step needs the editor, not the widget).
 */
async function answerQuickInput(page, text, expectRow = text, closes = false) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  await input.fill(text);
  if (expectRow) {
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: expectRow })
      .first()
      .waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
  }
  await page.keyboard.press('Enter');
  if (closes) {
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT_MS });
  }
}

/**
 * Flips a boolean setting in the Settings editor, as a person would: search for its id, click
 * the checkbox of the row that shows its description, close the editor.
 */
async function toggleSetting(page, id, description) {
  await runPaletteCommand(page, 'Preferences: Open User Settings');
  await page.locator('.settings-editor .settings-header').waitFor({ timeout: STEP_TIMEOUT_MS });
  // The search box (a small editor) takes the focus once it is ready; on a busy machine keys
  // typed before then are lost, so click into it, as a person would, before typing.
  await page.locator('.settings-editor .settings-header .suggest-input-container').first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(id);
  const row = page.locator('.settings-editor .setting-item-bool', { hasText: description }).first();
  const checkbox = row.locator('.setting-value-checkbox');
  await checkbox.waitFor({ timeout: STEP_TIMEOUT_MS });
  const before = await checkbox.getAttribute('aria-checked');
  await checkbox.click();
  await page.waitForFunction(
    ([text, was]) =>
      [...document.querySelectorAll('.settings-editor .setting-item-bool')]
        .find((item) => item.textContent.includes(text))
        ?.querySelector('.setting-value-checkbox')
        ?.getAttribute('aria-checked') !== was,
    [description, before],
  );
  await sleep(1000); // the Settings editor writes a change after a short delay
  // It opens as a modal dialog. The pointer resting on the checkbox opens a tooltip that takes
  // the first Escape (and comes back): move it away, then close, asking again if need be.
  await page.mouse.move(5, 5);
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    const closed = await page.locator('.settings-editor').waitFor({ state: 'hidden', timeout: 5000 }).then(() => true, () => false);
    if (closed) {
      break;
    }
    if (attempt === 2) {
      throw new Error('the Settings editor did not close');
    }
  }
}

/** Waits until a webview (a Markdown preview) shows `text`; its content lives in nested frames. */
async function webviewShows(page, text) {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
      if (body.includes(text)) {
        return;
      }
    }
    await sleep(250);
  }
  throw new Error(`no webview shows “${text}”`);
}

/** Opens `folder` in `window` (a new browser page: a new VS Code window) and shows the Vidurai view. */
async function openVidurai(window, folder) {
  await window.goto(`http://127.0.0.1:${codeServer.port}/?folder=${encodeURIComponent(folder)}`);
  const container = window.locator('.part.activitybar [aria-label^="Vidurai"]').first();
  await container.waitFor({ timeout: 60_000 });
  await container.click();
}

/** Waits for a notification toast containing `text`, then closes the toasts. */
async function notificationShows(page, text) {
  await page.locator('.notification-toast', { hasText: text }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
  await runPaletteCommand(page, 'Notifications: Clear All Notifications');
}

function treeRow(page, text) {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();
}

/** The row whose label starts with exactly this text (a personal gist quoting the note is another row). */
function treeRowLabelled(page, text) {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return treeRow(page, new RegExp(`^${escaped}`));
}

async function openFileAtLine(page, file, line) {
  // F1 opens the palette; without its '>' prefix it is Quick Open, with ':' it is Go to Line.
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await answerQuickInput(page, file, file.split('/').pop(), true);
  await page.locator('.tab.active', { hasText: file.split('/').pop() }).waitFor({ timeout: STEP_TIMEOUT_MS });
  await page.keyboard.press('F1');
  await answerQuickInput(page, `:${line}`, `line ${line}`, true);
  await cursorAt(page, line);
}

async function cursorAt(page, line) {
  await page
    .locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col \\d+`) })
    .first()
    .waitFor({ timeout: STEP_TIMEOUT_MS });
}

/**
 * Rests the pointer on `word` in the editor line containing `lineText`; returns the hover text
 * containing `expected` and the time from the pointer resting to the hover showing it. The
 * pointer first waits `away` pixels below the word. Like a person, it moves away and back
 * again when no such hover came (a server still starting).
 */
async function hoverWord(page, lineText, word, expected, away = 200) {
  const line = page.locator('.editor-instance .view-line', { hasText: lineText }).first();
  await line.waitFor({ timeout: STEP_TIMEOUT_MS });
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const box = await line.locator('span > span', { hasText: word }).first().boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + away);
    await sleep(400);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    const restedAt = await page.evaluate(() => performance.now());
    try {
      const handle = await page.waitForFunction(
        (text) => {
          for (const hover of document.querySelectorAll('.monaco-hover:not(.hidden)')) {
            if (hover.textContent.includes(text)) {
              return { at: performance.now(), text: hover.textContent };
            }
          }
          return null;
        },
        expected,
        { polling: 'raf', timeout: 3000 },
      );
      const shown = await handle.jsonValue();
      return { text: shown.text, ms: shown.at - restedAt };
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`no hover showing “${expected}” on “${word}”: ${error.message}`);
      }
    }
  }
}

/** True when, after a generous wait, no hover on that word mentions `text`. */
async function hoverLacks(page, lineText, word, text) {
  const line = page.locator('.editor-instance .view-line', { hasText: lineText }).first();
  const box = await line.locator('span > span', { hasText: word }).first().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + 200);
  await sleep(400);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await sleep(HOVER_DELAY_MS + 2000);
  return page.evaluate(
    (t) => ![...document.querySelectorAll('.monaco-hover:not(.hidden)')].some((h) => h.textContent.includes(t)),
    text,
  );
}

async function scenario(page, name, body) {
  const started = Date.now();
  let error;
  try {
    // A scenario starts from a calm workbench, whatever the one before it left behind.
    for (const key of ['Shift', 'Control', 'Alt']) {
      await page.keyboard.up(key);
    }
    await page.keyboard.press('Escape');
    await body();
  } catch (caught) {
    error = caught;
  }
  const shot = join(resultsDir, `${String(results.length + 1).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
  await sleep(400); // let hovers and toasts finish fading in, so the picture shows the final state
  await page.screenshot({ path: shot }).catch(() => undefined);
  results.push({ name, ok: !error });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${error ? '✖' : '✔'} ${name} (${seconds} s)`);
  if (error) {
    console.log(`    ${String(error.stack || error).split('\n').slice(0, 6).join('\n    ')}`);
    console.log(`    screenshot: ${shot}`);
  }
}

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

// ---------- the run ----------

async function main() {
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });

  console.log('==> packaging the extension');
  const vsix = execFileSync('bash', [join(repoRoot, 'scripts', 'package-extension.sh')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  const linterVsix = join(work, 'fixture-linter.vsix');
  execFileSync(
    process.execPath,
    [join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--skip-license', '--allow-missing-repository', '--out', linterVsix],
    { cwd: join(repoRoot, 'tests', 'extension', 'e2e', 'fixture-linter'), stdio: 'pipe' },
  );

  makeWorkspace();
  const backoff = seed('Retry with exponential backoff; the gateway times out after 30 seconds', 'app.py', 4);
  const issuer = seed('Tokens from the staging issuer are rejected on purpose', 'auth/middleware.py', 2);
  const slug = seed('Slugs must stay ASCII for the CDN cache keys', 'utils.py', 8);

  console.log('==> starting code-server with the .vsix installed');
  await startCodeServer([vsix, linterVsix, packageAssistantFixture(work, join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce'))]);
  browser = await chromium.launchPersistentContext(join(work, 'chromium'), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());

  figures.scenariosStarted = Date.now();
  await scenario(page, 'the tree lists the seeded memories grouped by file', async () => {
    const loadStarted = Date.now();
    await page.goto(`http://127.0.0.1:${codeServer.port}/?folder=${encodeURIComponent(workspace)}`);
    const container = page.locator('.part.activitybar [aria-label^="Vidurai"]').first();
    await container.waitFor({ timeout: 60_000 });
    figures.workbenchSeconds = (Date.now() - loadStarted) / 1000;
    await container.click();
    await page.locator('.part.sidebar .title-label', { hasText: /memories/i }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await treeRow(page, backoff.gists.developer).waitFor({ timeout: 60_000 });
    figures.loadToTreeSeconds = (Date.now() - loadStarted) / 1000;
    figures.workbenchToTreeSeconds = figures.loadToTreeSeconds - figures.workbenchSeconds;
    for (const memory of [backoff, issuer, slug]) {
      await treeRow(page, memory.gists.developer).waitFor({ timeout: STEP_TIMEOUT_MS });
    }
    // Grouped by file: a group row per file (its name first), each memory right below it.
    const rows = await page.locator('.part.sidebar .monaco-list-row').allTextContents();
    for (const memory of [backoff, issuer, slug]) {
      const group = rows.findIndex((text) => text.startsWith(memory.file.split('/').pop()));
      const item = rows.findIndex((text) => text.includes(memory.gists.developer));
      check(group !== -1, `no group row for ${memory.file} in ${JSON.stringify(rows)}`);
      check(item === group + 1, `${memory.file}'s memory is not under its group: ${JSON.stringify(rows)}`);
    }
  });

  // VS Code's own account of the activation (Developer: Show Running Extensions), a figure.
  try {
    await runPaletteCommand(page, 'Developer: Show Running Extensions');
    const list = page.locator('.runtime-extensions-editor .monaco-list').first();
    await list.waitFor({ timeout: STEP_TIMEOUT_MS });
    const time = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'Vidurai' }).locator('.activation-time');
    // The list is sorted slowest first and only draws what is in view: scroll down to ours.
    await list.hover();
    for (let scrolls = 0; scrolls < 20 && (await time.count()) === 0; scrolls++) {
      await page.mouse.wheel(0, 300);
      await sleep(100);
    }
    await time.waitFor({ timeout: STEP_TIMEOUT_MS });
    figures.vscodeActivation = (await time.textContent()).trim();
  } catch (error) {
    figures.vscodeActivation = `not read (${String(error).split('\n')[0]})`;
    await page.screenshot({ path: join(resultsDir, 'running-extensions-not-read.png') }).catch(() => undefined);
  } finally {
    await page.keyboard.press('Escape');
    if ((await page.locator('.runtime-extensions-editor').count()) > 0) {
      await runPaletteCommand(page, 'View: Close Editor');
    }
  }

  await scenario(page, 'hovering a remembered line shows its developer gist', async () => {
    await treeRow(page, backoff.gists.developer).click();
    await cursorAt(page, backoff.line);
    const hover = await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    figures.hoverMs = hover.ms;
  });

  await scenario(page, 'Pin from the hover → the tree shows the memory pinned', async () => {
    check((await treeRow(page, backoff.gists.developer).locator('.custom-view-tree-node-item-icon.codicon-pinned').count()) === 0, 'pinned already');
    await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    const pin = page.locator('.monaco-hover:not(.hidden) a', { hasText: /^Pin$/ }).first();
    await pin.hover();
    await pin.click();
    await treeRow(page, backoff.gists.developer).locator('.custom-view-tree-node-item-icon.codicon-pinned').waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'Switch Audience → personal changes both the hover and the tree', async () => {
    check(backoff.gists.personal !== backoff.gists.developer, 'the fixture needs distinct gists');
    await runPaletteCommand(page, 'Vidurai: Switch Audience');
    await answerQuickInput(page, 'personal');
    await treeRow(page, backoff.gists.personal).waitFor({ timeout: STEP_TIMEOUT_MS });
    check((await treeRowLabelled(page, backoff.gists.developer).count()) === 0, 'the tree still shows the developer gist');
    const hover = await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.personal);
    check(!hover.text.includes(backoff.gists.developer), `the hover still shows the developer gist: ${hover.text}`);
  });

  // Back to the developer voice for the scenarios below.
  await runPaletteCommand(page, 'Vidurai: Switch Audience');
  await answerQuickInput(page, 'developer');
  await treeRow(page, backoff.gists.developer).waitFor({ timeout: STEP_TIMEOUT_MS });

  await scenario(page, 'Remember Note from the palette on a line → it appears in the tree and in that line\'s hover', async () => {
    const note = 'Dates are compared in UTC after parsing';
    await openFileAtLine(page, 'utils.py', 4);
    await runPaletteCommand(page, 'Vidurai: Remember Note');
    await answerQuickInput(page, note, null, true);
    await treeRow(page, note).waitFor({ timeout: STEP_TIMEOUT_MS });
    await hoverWord(page, 'def parse_date', 'parse_date', note);
  });

  await scenario(page, 'Remember Selection with Ctrl+Alt+M → the selected lines become a memory', async () => {
    const note = 'Slug words are joined with hyphens for the URLs';
    await openFileAtLine(page, 'utils.py', 8);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Control+Alt+M');
    await answerQuickInput(page, note, null, true);
    await treeRow(page, note).waitFor({ timeout: STEP_TIMEOUT_MS });
    await hoverWord(page, 'def slugify', 'slugify', note);
  });

  // ---------- signal over noise (issue 9): what automatic capture keeps ----------
  // The fixture linter reports Python syntax errors as they come and go; Vidurai must keep only
  // a fix that was real (the error was saved) and stays gone after a save.

  const fixRows = async () =>
    (await page.locator('.part.sidebar .monaco-list-row').allTextContents()).filter((text) => text.includes('Fixed'));
  // A held fix is kept 2 s after it was last seen gone (checked every second); wait beyond that.
  const CONFIRM_MS = 5000;

  await scenario(page, 'typing a function with pauses and finishing it stores nothing', async () => {
    await openFileAtLine(page, 'utils.py', 10);
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('def title_case(', { delay: 60 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await sleep(1500); // a pause to think: longer than the forwarder's debounce
    await page.keyboard.type('text):', { delay: 60 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await sleep(1500);
    await page.keyboard.press('Enter');
    await page.keyboard.type('return text.title(', { delay: 60 });
    await sleep(1500);
    await page.keyboard.type(')', { delay: 60 });
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    await page.keyboard.press('Control+S');
    await sleep(CONFIRM_MS);
    const rows = await fixRows();
    check(rows.length === 0, `typing stored fix memories: ${JSON.stringify(rows)}`);
  });

  await scenario(page, 'a real fix after a save stores one memory', async () => {
    await openFileAtLine(page, 'auth/middleware.py', 4);
    await page.keyboard.press('End');
    await page.keyboard.type(' +');
    await page.keyboard.press('Control+S'); // the broken line is saved: the error is real
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await sleep(1500); // the forwarder sends it (500 ms debounce)
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.locator('.editor-instance .squiggly-error').first().waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    await page.keyboard.press('Control+S');
    await treeRow(page, 'Fixed').waitFor({ timeout: STEP_TIMEOUT_MS });
    await sleep(CONFIRM_MS);
    const rows = await fixRows();
    check(rows.length === 1, `expected one fix memory, the tree shows ${JSON.stringify(rows)}`);
    await hoverWord(page, 'return token.claims', 'claims', 'Fixed');
  });

  await scenario(page, 'inserting lines above a memory → its hover is on the memory\'s new line', async () => {
    await openFileAtLine(page, 'app.py', 1);
    await page.keyboard.press('Home');
    await page.keyboard.type('# Retries for the gateway client.\n# See the runbook before changing them.\n');
    await cursorAt(page, 3);
    // The memory was on line 4 ("def retry_with_backoff"); that line is now line 6.
    await openFileAtLine(page, 'app.py', 6);
    const hover = await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    check(hover.text.includes(backoff.gists.developer), `the moved line's hover lacks its memory: ${hover.text}`);
    // Put the file back as it was (the scenarios below expect the memory on line 4).
    await openFileAtLine(page, 'app.py', 1);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    await page.locator('.editor-instance .view-line', { hasText: 'See the runbook' }).waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
  });
  // ---------- end of signal over noise ----------

  await scenario(page, 'Forget from the tree\'s context menu → gone from tree and hover', async () => {
    await treeRow(page, issuer.gists.developer).click();
    await cursorAt(page, issuer.line);
    await hoverWord(page, 'token.issuer != issuer', 'issuer', issuer.gists.developer);
    await treeRow(page, issuer.gists.developer).click({ button: 'right' });
    const forget = page.locator('.monaco-menu .action-item', { hasText: /^Forget$/ }).first();
    await forget.waitFor({ timeout: STEP_TIMEOUT_MS });
    // A menu ignores a click that comes right after it opened (the right-click's release).
    await sleep(500);
    await forget.click();
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Forget$/ }).first().click();
    await treeRow(page, issuer.gists.developer).waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
    check(await hoverLacks(page, 'token.issuer != issuer', 'issuer', issuer.gists.developer), 'the hover still shows the forgotten memory');
  });

  await scenario(page, 'Show Forgetting Log lists the memory just forgotten', async () => {
    await runPaletteCommand(page, 'Vidurai: Show Forgetting Log');
    await webviewShows(page, issuer.gists.manager.slice(0, 30));
    await page.screenshot({ path: join(resultsDir, 'forgetting-log.png') });
    await closeActiveEditor(page);
  });

  await scenario(page, 'Run Forgetting Now says what it did', async () => {
    // Every memory here is new, so nothing is due: the message must say so rather than stay silent.
    await runPaletteCommand(page, 'Vidurai: Run Forgetting Now');
    await notificationShows(page, 'nothing was due to be forgotten');
  });

  await scenario(page, 'Copy AI Context says how many memories it copied', async () => {
    await runPaletteCommand(page, 'Vidurai: Copy AI Context');
    await notificationShows(page, /copied AI context — \d+ memor/);
  });

  await scenario(page, 'a failing command in the terminal → it is remembered', async () => {
    const command = 'python3 -c "raise SystemExit(\'migration 0042 failed\')"';
    await page.keyboard.press('Escape');
    await runPaletteCommand(page, 'Terminal: Create New Terminal');
    const terminal = page.locator('.terminal-wrapper.active .xterm').first();
    await terminal.waitFor({ timeout: STEP_TIMEOUT_MS });
    // Shell integration (which reports commands) is ready once the prompt has been drawn.
    await sleep(1500);
    await page.keyboard.type(command);
    await page.keyboard.press('Enter');
    await treeRow(page, 'migration 0042').waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'Group By salience regroups the tree, and back by file', async () => {
    await runPaletteCommand(page, 'Vidurai: Group By');
    await answerQuickInput(page, 'Salience');
    await treeRow(page, /^(critical|high|medium|low|noise)/i).waitFor({ timeout: STEP_TIMEOUT_MS });
    check((await treeRow(page, /^app\.py/).count()) === 0, 'the tree is still grouped by file');
    await treeRow(page, backoff.gists.developer).waitFor({ timeout: STEP_TIMEOUT_MS });
    await runPaletteCommand(page, 'Vidurai: Group By');
    await answerQuickInput(page, 'File');
    await treeRow(page, /^app\.py/).waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'Manager Report opens an untitled Markdown document with the manager gists', async () => {
    await runPaletteCommand(page, 'Vidurai: Manager Report');
    await page.locator('.tab.active', { hasText: /Untitled-\d/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('.editor-instance .view-line', { hasText: backoff.gists.manager.slice(0, 40) }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    check((await page.locator('.statusbar-item', { hasText: /^Markdown$/ }).count()) > 0, 'the report is not Markdown');
  });

  await scenario(page, 'Show Memory from the tree shows every audience gist', async () => {
    await treeRow(page, slug.gists.developer).click({ button: 'right' });
    const show = page.locator('.monaco-menu .action-item', { hasText: /^Show Memory$/ }).first();
    await show.waitFor({ timeout: STEP_TIMEOUT_MS });
    await sleep(500);
    await show.click();
    for (const audience of ['developer', 'personal', 'ai', 'manager']) {
      await webviewShows(page, slug.gists[audience]);
    }
    await page.screenshot({ path: join(resultsDir, 'show-memory.png') });
    await closeActiveEditor(page);
  });

  await scenario(page, 'Search finds a memory by a word of its gist and opens it', async () => {
    await openFileAtLine(page, 'utils.py', 1);
    await runPaletteCommand(page, 'Vidurai: Search Memories');
    await answerQuickInput(page, 'backoff', backoff.gists.developer);
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await cursorAt(page, backoff.line);
  });

  await scenario(page, 'Restart Server twice in a row → one server runs, the tree and hovers still work', async () => {
    const before = runningServers();
    check(before.length === 1, `expected one server before, found ${before.length}`);
    await runPaletteCommand(page, 'Vidurai: Restart Server');
    await runPaletteCommand(page, 'Vidurai: Restart Server');
    await treeRow(page, backoff.gists.developer).waitFor({ timeout: STEP_TIMEOUT_MS });
    await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    const after = runningServers();
    check(after.length === 1, `expected one server after the restarts, found ${after.length}`);
    check(after[0] !== before[0], 'the server was not restarted');
  });

  await scenario(page, 'turning off Vidurai hovers in the Settings editor hides the hover, without a restart', async () => {
    await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    await toggleSetting(page, 'vidurai.hover.enabled', HOVER_SETTING_DESCRIPTION);
    check(await hoverLacks(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer), 'the hover still shows');
    await toggleSetting(page, 'vidurai.hover.enabled', HOVER_SETTING_DESCRIPTION);
    await hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
  });

  // ---------- issue #13 (editor): scenarios in editorScenarios.mjs ----------
  const e2e = {
    page, browser, codeServer, work, workspace, database, cliPython, resultsDir, figures, backoff, slug, STEP_TIMEOUT_MS,
    scenario, check, sleep, cli, treeRow, runPaletteCommand, answerQuickInput, openFileAtLine, cursorAt, hoverWord,
    webviewShows, closeActiveEditor, toggleSetting, runningServers, extensionLog, openVidurai,
  };
  await editorScenarios(e2e);
  // ---------- end of issue #13's first block ----------

  await scenario(page, 'a multi-root workspace shows each folder with its own memories, in its own audience', async () => {
    const second = join(work, 'second-folder');
    mkdirSync(join(second, '.vscode'), { recursive: true });
    writeFileSync(join(second, 'jobs.py'), 'def nightly():\n    return "ok"\n');
    // This folder's own vidurai.audience (a resource setting): its memories speak to a manager.
    writeFileSync(join(second, '.vscode', 'settings.json'), JSON.stringify({ 'vidurai.audience': 'personal' }));
    const { id } = JSON.parse(
      execFileSync(
        cliPython,
        ['-m', 'vidurai', 'remember', 'The nightly job must finish before 06:00 UTC', '--file', 'jobs.py', '--line', '1',
          '--db', database, '--project', second, '--json'],
        { encoding: 'utf8' },
      ),
    );
    check(Number.isInteger(id), 'seeding the second folder failed');
    const workspaceFile = join(work, 'both.code-workspace');
    writeFileSync(workspaceFile, JSON.stringify({ folders: [{ path: workspace }, { path: second }] }));
    const multiRoot = await browser.newPage();
    try {
      const openVidurai = async () => {
        const container = multiRoot.locator('.part.activitybar [aria-label^="Vidurai"]').first();
        await container.waitFor({ timeout: 60_000 });
        if ((await multiRoot.locator('.part.sidebar .title-label', { hasText: /memories/i }).count()) === 0) {
          await container.click();
        }
      };
      await multiRoot.goto(`http://127.0.0.1:${codeServer.port}/?workspace=${encodeURIComponent(workspaceFile)}`);
      await openVidurai();
      // A new window: its own extension host and server start first, as in the first scenario.
      // code-server sometimes starts a ?workspace= window's extension host with no folders at
      // all (the extension logs "0 workspace folders" and never hears of any); a reload, as a
      // person would do, gives it the workspace.
      const nightlyPersonal = JSON.parse(
        execFileSync(cliPython, ['-m', 'vidurai', 'gists', String(id), '--db', database, '--json'], { encoding: 'utf8' }),
      ).gists.personal;
      const nightlyRow = treeRowLabelled(multiRoot, nightlyPersonal);
      if (!(await nightlyRow.waitFor({ timeout: 30_000 }).then(() => true, () => false))) {
        await multiRoot.reload();
        await openVidurai();
      }
      await nightlyRow.waitFor({ timeout: 60_000 });
      for (const text of ['workspace', 'second-folder', backoff.gists.developer]) {
        await treeRow(multiRoot, text).waitFor({ timeout: STEP_TIMEOUT_MS });
      }
      const rows = await multiRoot.locator('.part.sidebar .monaco-list-row').allTextContents();
      const secondFolder = rows.findIndex((text) => text.startsWith('second-folder'));
      const nightly = rows.findIndex((text) => text.startsWith(nightlyPersonal));
      check(secondFolder !== -1 && nightly > secondFolder, `the memory is not under its folder: ${JSON.stringify(rows)}`);
      check(rows[secondFolder].includes('personal'), `the folder row does not name its audience: ${rows[secondFolder]}`);
    } finally {
      await sleep(400);
      await multiRoot.screenshot({ path: join(resultsDir, 'multi-root.png') });
      await multiRoot.close();
    }
  });

  await scenario(page, 'a folder without memories shows the welcome with a Remember Note button', async () => {
    const empty = join(work, 'empty-folder');
    mkdirSync(empty, { recursive: true });
    writeFileSync(join(empty, 'main.py'), 'print("hello")\n');
    const fresh = await browser.newPage();
    try {
      await openVidurai(fresh, empty);
      await fresh.locator('.part.sidebar .welcome-view-content', { hasText: 'No memories yet' }).waitFor({ timeout: 60_000 });
      await fresh.locator('.part.sidebar .welcome-view-content .monaco-button', { hasText: 'Remember Note' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    } finally {
      await sleep(400);
      await fresh.screenshot({ path: join(resultsDir, 'welcome.png') });
      await fresh.close();
    }
  });

  await scenario(page, 'a Python that is not there: one message naming what was tried, with Open Setting, and a welcome that says so', async () => {
    // The window's first start begins before activate() (extension/serverStart.ts): its failure
    // is still told once, the way a later start's is.
    const folder = join(work, 'no-python-folder');
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    const missing = join(work, 'no-such-python');
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'vidurai.pythonPath': missing }));
    const fresh = await browser.newPage();
    try {
      await openVidurai(fresh, folder);
      const message = fresh.locator('.notification-toast', { hasText: 'Vidurai needs Python' }).first();
      await message.waitFor({ timeout: 60_000 });
      check((await message.textContent()).includes(missing), `the message does not name ${missing}`);
      await message.locator('.monaco-button', { hasText: 'Open Setting' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      await fresh.locator('.part.sidebar .welcome-view-content', { hasText: 'could not start' }).waitFor({ timeout: STEP_TIMEOUT_MS });
      const vidurai = (await fresh.locator('.notification-toast').allTextContents()).filter((t) => /Vidurai/.test(t));
      check(vidurai.length === 1, `expected one Vidurai message, saw ${JSON.stringify(vidurai)}`);
    } finally {
      await sleep(400);
      await fresh.screenshot({ path: join(resultsDir, 'no-python.png') });
      await fresh.close();
    }
  });

  // ---------- assistant (issue 16): language model tools and the MCP server definition ----------
  await assistantScenarios({
    page, scenario, check, runPaletteCommand, work, workspace, database, python: userPython, unrelated: slug,
    backoff: { ...backoff, salience: cli('show', String(backoff.id)).salience },
    recall: (note) => cli('recall', '--query', note, '--min-salience', 'noise').memories.filter((m) => m.gist.includes(note)),
  });
  // ---------- end of assistant ----------

  // ---------- search by meaning (issue #15) ----------
  await scenario(page, 'the tree\'s Search finds a memory by a phrase that shares no word with it', async () => {
    const deep = seed('Walk the category tree iteratively; deep trees overflowed the recursion limit', 'utils.py', 4);
    if ((await page.locator('.part.sidebar .title-label', { hasText: /memories/i }).count()) === 0) {
      await page.locator('.part.activitybar [aria-label^="Vidurai"]').first().click();
    }
    await page.locator('.part.sidebar').hover(); // title-bar actions show while the pointer is there
    await page.locator('.part.sidebar .action-label[aria-label^="Search Memories"]').first().click();
    // "stack overflow on nested categories" shares no word with the memory.
    await answerQuickInput(page, 'stack overflow on nested categories', deep.gists.developer);
    await page.locator('.tab.active', { hasText: 'utils.py' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await cursorAt(page, deep.line);
  });
  // ---------- end of search by meaning ----------

  await editorScenariosLast(e2e); // issue #13: own windows and 10,000 memories, so last

  const log = extensionLog();
  const activation = /Activated in ([\d.]+) ms/.exec(log);
  const firstTree = /showed its first \d+ memories (\d+) ms after activation began/.exec(log);
  figures.activationMs = activation ? Number(activation[1]) : undefined;
  figures.activationToTreeMs = firstTree ? Number(firstTree[1]) : undefined;
  figures.serverReady = /The server is ready, (.*)/.exec(log)?.[1];
  // The restarts within a window (not each window's first start): the server's start once the
  // machine has warmed up.
  figures.serverRestartsMs = extensionLogs().flatMap((windowLog) =>
    [...windowLog.matchAll(/the server's own start (\d+) ms/g)].slice(1).map((match) => Number(match[1])),
  );
}

try {
  await main();
} catch (error) {
  console.log(`✖ e2e run stopped: ${error.stack || error}`);
  results.push({ name: 'e2e run', ok: false });
} finally {
  await browser?.close().catch(() => undefined);
  stopCodeServer();
  if (process.env.VIDURAI_E2E_KEEP) {
    console.log(`kept: ${work}`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}

const fmt = (value, unit, digits = 0) => (value === undefined ? 'not measured' : `${value.toFixed(digits)} ${unit}`);
console.log('');
console.log(`extension activate() (excluding the server): ${fmt(figures.activationMs, 'ms', 1)}`);
console.log(`extension activation as VS Code counts it (loading its code included): ${figures.vscodeActivation ?? 'not read'}`);
console.log(
  `page load → tree shows memories: ${fmt(figures.loadToTreeSeconds, 's', 2)} ` +
    `(the workbench itself: ${fmt(figures.workbenchSeconds, 's', 2)}; ` +
    `workbench shown → tree shows memories: ${fmt(figures.workbenchToTreeSeconds, 's', 2)})`,
);
console.log(
  `activation → tree shows memories (server start included): ${fmt(figures.activationToTreeMs, 'ms')} ` +
    `(the first start: ${figures.serverReady ?? 'not logged'})`,
);
const starts = [...(figures.serverRestartsMs ?? [])].sort((a, b) => a - b);
console.log(
  `the server's own start, in the ${starts.length} restarts the scenarios make: ` +
    (starts.length ? `median ${starts[Math.floor(starts.length / 2)]} ms (${starts[0]}–${starts[starts.length - 1]})` : 'not logged'),
);
console.log(
  `hover: ${fmt(figures.hoverMs, 'ms')} after the pointer rests (VS Code waits editor.hover.delay = ${HOVER_DELAY_MS} ms of it)`,
);
console.log(`hover with 10,000 memories in the store: ${fmt(figures.hover10kMs, 'ms')} after the pointer rests (same hover delay)`);
const markFigures = (samples) =>
  samples
    ? samples.map((s) => `${s.totalMs.toFixed(1)} (${s.answerMs.toFixed(1)} + ${s.drawingMs.toFixed(1)}, ${s.hostBusyPercent}%)`).join(', ') + ' ms'
    : 'not measured';
console.log(
  `gutter marks of a 5,000-line file (${figures.gutterMarks ?? '?'} marked places), as the extension logs them, ` +
    `total (server's answer + drawing, extension host busy during the answer): on opening ${markFigures(figures.gutterOpenMs)}; ` +
    `on Refresh ${markFigures(figures.gutterRefreshMs)}`,
);
const minutes = (from, to) => (from === undefined || to === undefined ? 'not measured' : `${((to - from) / 60_000).toFixed(1)} min`);
console.log(
  `suite: ${minutes(suiteStarted, Date.now())} (packaging and starting code-server ${minutes(suiteStarted, figures.scenariosStarted)}, ` +
    `scenarios ${minutes(figures.scenariosStarted, Date.now())}; installing code-server the first time is not counted)`,
);
console.log(`machine load while the suite ran (1-minute load average at the end): ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
console.log(`screenshots: ${resultsDir}`);
const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

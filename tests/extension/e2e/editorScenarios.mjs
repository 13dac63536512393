// Scenarios of issue #13 ("see where memories are, trust what the tree says"), run by run.mjs
// with its helpers: gutter marks, the tree following moved and deleted lines (in the editor and
// on disk), the audience in the status bar, notes from an untitled buffer, search rows, the
// current-line hint, one message for a crash loop, a broken database, and the speed figures at
// 10,000 memories. Each saves a screenshot (run.mjs's `scenario`); a few also save the small
// pictures the README shows (test-results/e2e/readme/).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CLEANUP_FILE = 'jobs/cleanup.py';
const CLEANUP_LINES = ['import shutil', '', 'def purge(path):', '    shutil.rmtree(path)', ''];
const BIG_FILE = 'generated/big_module.py';
const BIG_FILE_LINES = Array.from({ length: 5000 }, (_, i) => `def handler_${i + 1}(request):  # generated`);

function writeWorkspaceFile(workspace, file, lines) {
  const path = join(workspace, ...file.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.join('\n'));
}

/** VS Code draws each gutter icon as an element whose background is our SVG. */
async function gutterMarkedLines(page) {
  return page.evaluate(() => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) {
      return [];
    }
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((el) => ({
      line: Number(el.textContent),
      top: el.getBoundingClientRect().top,
    }));
    const marks = [...editor.querySelectorAll('.margin *')].filter((el) => getComputedStyle(el).backgroundImage.includes('gutter-'));
    const lines = marks.map((mark) => {
      const top = mark.getBoundingClientRect().top;
      return numbers.find((n) => Math.abs(n.top - top) < 4)?.line ?? -1;
    });
    return [...new Set(lines)].sort((a, b) => a - b);
  });
}

/** What the extension logged for each drawing of the 5,000-line file's marks, oldest first. */
function bigFileMarkFigures(e2e) {
  const logged =
    /Gutter marks: (\d+) places in a 5000-line file drawn in ([\d.]+) ms \(answer ([\d.]+) ms, drawing ([\d.]+) ms; extension host busy (\d+)%/g;
  return [...e2e.extensionLog().matchAll(logged)].map((match) => ({
    places: Number(match[1]),
    totalMs: Number(match[2]),
    answerMs: Number(match[3]),
    drawingMs: Number(match[4]),
    hostBusyPercent: Number(match[5]),
  }));
}

/** The text of the current-line hint drawn after a line (an `after` decoration's CSS content). */
async function lineHintTexts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.editor-group-container.active .view-line span')]
      .map((el) => getComputedStyle(el, '::after').content)
      .filter((content) => content && content.includes('Vidurai:')),
  );
}

async function waitFor(page, probe, expected, what, timeout) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (JSON.stringify(last) === JSON.stringify(expected)) {
      return;
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(last)}`);
}

/** A small picture for the README: one part of the window, cut to what it shows. */
async function readmePicture(page, resultsDir, name, clip) {
  mkdirSync(join(resultsDir, 'readme'), { recursive: true });
  await new Promise((done) => setTimeout(done, 400));
  await page.screenshot({ path: join(resultsDir, 'readme', `${name}.png`), clip });
}

/** Scenarios in the main window, after the first block of run.mjs. */
export async function editorScenarios(e2e) {
  const { page, scenario, check, treeRow, runPaletteCommand, answerQuickInput, openFileAtLine, cursorAt, STEP_TIMEOUT_MS } = e2e;
  const { backoff, slug, workspace, resultsDir, sleep } = e2e;
  // Files the scenarios open: written first, so that Quick Open has found them by then.
  writeWorkspaceFile(workspace, CLEANUP_FILE, CLEANUP_LINES);
  writeWorkspaceFile(workspace, BIG_FILE, BIG_FILE_LINES);

  await scenario(page, 'the tree, a hover and the audience in pictures for the README', async () => {
    await openFileAtLine(page, 'app.py', backoff.line);
    const hover = await e2e.hoverWord(page, 'def retry_with_backoff', 'retry_with_backoff', backoff.gists.developer);
    check(hover.text.includes('Forget'), 'the hover has no Forget link');
    const box = await page.locator('.monaco-hover:not(.hidden)').first().boundingBox();
    const left = Math.max(0, box.x - 140);
    await readmePicture(page, resultsDir, 'hover', { x: left, y: Math.max(0, box.y - 40), width: Math.min(1400 - left, box.width + 180), height: box.height + 120 });
    await page.mouse.move(5, 600);
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    await readmePicture(page, resultsDir, 'tree', { x: 0, y: sidebar.y, width: sidebar.x + sidebar.width, height: Math.min(420, sidebar.height) });
    await runPaletteCommand(page, 'Vidurai: Manager Report');
    await page.locator('.tab.active', { hasText: /Untitled-\d/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('.editor-instance .view-line', { hasText: backoff.gists.manager.slice(0, 40) }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    const editor = await page.locator('.part.editor').boundingBox();
    await readmePicture(page, resultsDir, 'manager-report', { x: editor.x, y: editor.y, width: Math.min(820, editor.width), height: 300 });
    await runPaletteCommand(page, 'View: Revert and Close Editor');
  });

  await scenario(page, 'the status bar shows the audience and switches it on click', async () => {
    const item = (audience) => page.locator(`[aria-label^="Vidurai audience: ${audience}"]`).first();
    await item('developer').waitFor({ timeout: STEP_TIMEOUT_MS });
    await item('developer').click();
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'manager' }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    const widget = await page.locator('.quick-input-widget').boundingBox();
    await readmePicture(page, resultsDir, 'audience-switch', { x: widget.x - 10, y: Math.max(0, widget.y - 10), width: widget.width + 20, height: widget.height + 20 });
    await input.fill('ai');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: /^ai/ }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.keyboard.press('Enter');
    await item('ai').waitFor({ timeout: STEP_TIMEOUT_MS });
    await treeRow(page, backoff.gists.ai).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('.part.sidebar', { hasText: 'ai · by file' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await item('ai').click();
    await answerQuickInput(page, 'developer', 'developer', true);
    await item('developer').waitFor({ timeout: STEP_TIMEOUT_MS });
    await treeRow(page, backoff.gists.developer).waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'the gutter marks remembered lines and no others', async () => {
    await openFileAtLine(page, 'utils.py', 1);
    // utils.py: the seeded slug note (line 8), and the notes earlier scenarios added on
    // parse_date (line 4) and on slugify's two lines (8–9).
    await waitFor(page, () => gutterMarkedLines(page), [4, 8, 9], 'gutter marks in utils.py', STEP_TIMEOUT_MS);
  });

  await scenario(page, 'typing lines above a memory moves its tree row, its click and its mark, without Refresh', async () => {
    await openFileAtLine(page, 'app.py', 1);
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Enter');
    }
    await page.keyboard.press('Control+S');
    const moved = backoff.line + 3;
    const row = treeRow(page, backoff.gists.developer);
    await row.filter({ hasText: `line ${moved}` }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitFor(page, () => gutterMarkedLines(page), [moved], 'gutter mark in app.py', STEP_TIMEOUT_MS);
    await openFileAtLine(page, 'utils.py', 1);
    await row.click();
    await page.locator('.tab.active', { hasText: 'app.py' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await cursorAt(page, moved);
    // Take the lines out again: the memory follows back, and later scenarios find it where seeded.
    await openFileAtLine(page, 'app.py', 1);
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Shift+ArrowDown');
    }
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    await row.filter({ hasText: `line ${backoff.line}` }).waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'a change made outside VS Code (a git pull) moves the tree row of a closed file', async () => {
    const note = 'Purge runs only on the scratch volume';
    await openFileAtLine(page, CLEANUP_FILE, 3);
    await runPaletteCommand(page, 'Vidurai: Remember Note');
    await answerQuickInput(page, note, null, true);
    await treeRow(page, note).filter({ hasText: 'line 3' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await e2e.closeActiveEditor(page);
    const [first, ...rest] = CLEANUP_LINES;
    writeWorkspaceFile(workspace, CLEANUP_FILE, [first, 'import logging', 'log = logging.getLogger(__name__)', ...rest]);
    await treeRow(page, note).filter({ hasText: 'line 5' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  });

  await scenario(page, 'a memory the CLI remembers shows in the tree, the gutter and the hover of an open file, without Refresh', async () => {
    await openFileAtLine(page, CLEANUP_FILE, 6); // after the pull: "    shutil.rmtree(path)"
    e2e.cli('remember', 'Purge must log what it removes', '--file', CLEANUP_FILE, '--line', '6');
    const gist = 'log what it removes'; // in every audience's gist of the note
    await treeRow(page, gist).filter({ hasText: 'line 6' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await waitFor(page, () => gutterMarkedLines(page), [5, 6], 'gutter marks in cleanup.py', STEP_TIMEOUT_MS);
    await e2e.hoverWord(page, 'shutil.rmtree(path)', 'rmtree', gist); // the buffer was never saved
    await e2e.closeActiveEditor(page);
  });

  await scenario(page, 'deleting a memory\'s lines shows it detached, and its click shows the memory, not a blank line', async () => {
    const note = 'Dates are compared in UTC after parsing'; // added on parse_date by an earlier scenario
    await openFileAtLine(page, 'utils.py', 4);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Delete');
    await page.keyboard.press('Control+S');
    const row = treeRow(page, note);
    await row.filter({ hasText: 'its lines were deleted' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await row.locator('.codicon-debug-disconnect').waitFor({ timeout: STEP_TIMEOUT_MS });
    check(!(await gutterMarkedLines(page)).includes(4), 'the deleted lines are still marked');
    await row.click();
    await e2e.webviewShows(page, 'its lines were deleted');
    await e2e.closeActiveEditor(page);
  });

  await scenario(page, 'Remember Note in an untitled buffer says first that it keeps a project note, and keeps it', async () => {
    const note = 'Scratch idea: batch the purge by day';
    await runPaletteCommand(page, 'File: New Untitled Text File');
    await page.locator('.tab.active', { hasText: /Untitled-\d/ }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.keyboard.type('batch purge');
    await runPaletteCommand(page, 'Vidurai: Remember Note');
    await page.locator('.quick-input-widget', { hasText: 'kept for the project' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await answerQuickInput(page, note, null, true);
    const group = treeRow(page, 'Without a file');
    await group.waitFor({ timeout: STEP_TIMEOUT_MS });
    await group.locator('.codicon-project').waitFor({ timeout: STEP_TIMEOUT_MS });
    await treeRow(page, note).waitFor({ timeout: STEP_TIMEOUT_MS });
    await runPaletteCommand(page, 'View: Revert and Close Editor');
  });

  await scenario(page, 'search rows show a gist once, on one line', async () => {
    await runPaletteCommand(page, 'Vidurai: Search Memories');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('slugs');
    const resultRow = page.locator('.quick-input-widget .monaco-list-row', { hasText: slug.gists.developer.slice(0, 30) }).first();
    await resultRow.waitFor({ timeout: STEP_TIMEOUT_MS });
    const text = await resultRow.textContent();
    check(!text.includes('⏎'), `a search row shows ⏎: ${text}`);
    check(text.split('Slugs must stay ASCII').length === 2, `a search row repeats its gist: ${text}`);
    await page.keyboard.press('Escape');
  });

  await scenario(page, 'the current-line hint, once turned on, names the memory of the line the cursor is on', async () => {
    const description = "Show the current line's memory at the end of the line";
    await e2e.toggleSetting(page, 'vidurai.currentLineHint.enabled', description);
    try {
      await openFileAtLine(page, 'utils.py', 1);
      await waitFor(page, async () => (await lineHintTexts(page)).length, 0, 'hint on a line without memories', STEP_TIMEOUT_MS);
      await openFileAtLine(page, 'utils.py', 6); // slugify's line, after the two deleted above
      const deadline = Date.now() + STEP_TIMEOUT_MS;
      let hints = [];
      while (Date.now() < deadline && hints.length === 0) {
        hints = await lineHintTexts(page);
        await sleep(200);
      }
      check(hints.length === 1 && hints[0].includes('Slug'), `no hint naming the slug memory: ${JSON.stringify(hints)}`);
    } finally {
      await e2e.toggleSetting(page, 'vidurai.currentLineHint.enabled', description);
    }
  });

  await scenario(page, 'a server that keeps crashing gives one message with Restart and Show Logs, and an honest welcome', async () => {
    // Four unexpected stops within three minutes: the first three are restarted quietly.
    for (let crash = 1; crash <= 4; crash++) {
      const servers = await waitForServers(e2e, 1);
      process.kill(Number(servers[0]), 'SIGKILL');
      if (crash < 4) {
        await waitForNewServer(e2e, servers[0]);
      }
    }
    const message = page.locator('.notification-toast', { hasText: 'stopped unexpectedly 4 times' }).first();
    await message.waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.locator('.part.sidebar .welcome-view-content', { hasText: 'stopped unexpectedly several times' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    const toasts = await page.locator('.notification-toast').allTextContents();
    check(toasts.length === 1, `expected one message, saw ${JSON.stringify(toasts)}`);
    check(!toasts.some((t) => /Restarting server failed|-32097|could not start/.test(t)), `raw errors shown: ${JSON.stringify(toasts)}`);
    await message.locator('.monaco-button', { hasText: 'Show Logs' }).waitFor({ timeout: STEP_TIMEOUT_MS });
    await page.screenshot({ path: join(resultsDir, 'crash-loop-message.png') });
    await message.locator('.monaco-button', { hasText: 'Restart Server' }).click();
    await treeRow(page, backoff.gists.developer).waitFor({ timeout: 60_000 });
  });
}

async function waitForServers(e2e, count) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const servers = e2e.runningServers();
    if (servers.length === count || Date.now() > deadline) {
      e2e.check(servers.length === count, `expected ${count} server, found ${servers.length}`);
      return servers;
    }
    await e2e.sleep(200);
  }
}

async function waitForNewServer(e2e, old) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const servers = e2e.runningServers();
    if (servers.length === 1 && servers[0] !== old) {
      await e2e.sleep(1500); // let it finish starting: a crash loop is crashes of a started server
      return;
    }
    await e2e.sleep(200);
  }
  throw new Error('the server was not restarted after it stopped');
}

/** Seeds `count` memories: one on every 5th line of the 5,000-line file, the rest elsewhere. */
function seedMany(e2e, count) {
  const script = `
import sys
from vidurai.storage import MemoryDatabase
db_path, project, big, lines, count = sys.argv[1:6]
lines, count = int(lines), int(count)
with MemoryDatabase(db_path) as db:
    for i in range(count):
        in_big = i < lines // 5
        line = i * 5 + 1 if in_big else i + 1
        gist = f"Generated handler {line} keeps its retry budget" if in_big else f"Record {i} is kept for audits"
        db.store_memory(project, gist, gist, "MEDIUM", "note", big if in_big else "generated/records.py", line,
                        audience_gists={"developer": gist, "ai": gist, "manager": gist, "personal": gist})
`;
  execFileSync(e2e.cliPython, ['-c', script, e2e.database, e2e.workspace, BIG_FILE, String(BIG_FILE_LINES.length), String(count)]);
}

/** Scenarios that open their own windows or fill the store: after every other scenario. */
export async function editorScenariosLast(e2e) {
  const { page, scenario, check, treeRow, runPaletteCommand, openFileAtLine, openVidurai, work, browser, resultsDir, STEP_TIMEOUT_MS } = e2e;

  await scenario(page, 'a broken database shows what is wrong and what to do, not the empty-state invitation', async () => {
    const folder = join(work, 'broken-db-folder');
    const broken = join(work, 'broken.db');
    writeFileSync(broken, 'this is not a database '.repeat(200));
    mkdirSync(join(folder, '.vscode'), { recursive: true });
    writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'vidurai.databasePath': broken }));
    const window = await browser.newPage();
    try {
      await openVidurai(window, folder);
      await window.locator('.part.sidebar', { hasText: 'cannot read its memory database' }).first().waitFor({ timeout: 60_000 });
      await window.locator('.part.sidebar', { hasText: 'not a usable Vidurai database' }).first().waitFor({ timeout: STEP_TIMEOUT_MS });
      await treeRow(window, 'Choose another database file').waitFor({ timeout: STEP_TIMEOUT_MS });
      await treeRow(window, 'Show Logs').waitFor({ timeout: STEP_TIMEOUT_MS });
      check((await window.locator('.part.sidebar .welcome-view-content', { hasText: 'No memories yet' }).count()) === 0, 'the empty-state invitation shows');
    } finally {
      await e2e.sleep(400);
      await window.screenshot({ path: join(resultsDir, 'broken-database.png') });
      await window.close();
    }
  });

  await scenario(page, 'with 10,000 memories: a hover, and the gutter of a 5,000-line file', async () => {
    seedMany(e2e, 10_000);
    // The server notices another process's writes and the tree reloads by itself; the file is
    // opened after that, so the first gutter figure is an opening, not an opening that races a
    // reload of 10,000 memories.
    await treeRow(page, 'Generated handler').waitFor({ timeout: STEP_TIMEOUT_MS });
    await openFileAtLine(page, BIG_FILE, 2501);
    // As for the few-memories figure, the pointer first waits on a line without a memory (2503
    // here, where every 5th line has one): coming from another memory's hover, VS Code would
    // first keep that hover for editor.hover.hidingDelay (300 ms) before asking for this one.
    const line = await page.locator('.editor-instance .view-line', { hasText: 'def handler_2501(' }).first().boundingBox();
    const hover = await e2e.hoverWord(page, 'def handler_2501(', 'handler_2501', 'Generated handler 2501 keeps', 2.5 * line.height);
    e2e.figures.hover10kMs = hover.ms;
    const marked = await gutterMarkedLines(page);
    check(marked.includes(2501) && !marked.includes(2502), `gutter marks around line 2501: ${JSON.stringify(marked)}`);
    await waitFor(page, () => bigFileMarkFigures(e2e).length > 0, true, 'a gutter figure for the 5,000-line file', STEP_TIMEOUT_MS);
    e2e.figures.gutterMarks = bigFileMarkFigures(e2e)[0].places;
    e2e.figures.gutterOpenMs = [bigFileMarkFigures(e2e)[0]];
    // One sample swings with the machine: take more. Closed and opened again (the server follows
    // the file's anchors on each open), then asked again while it stays open (Refresh).
    for (let sample = 0; sample < 3; sample += 1) {
      await e2e.closeActiveEditor(page);
      const before = bigFileMarkFigures(e2e).length;
      await openFileAtLine(page, BIG_FILE, 2501);
      await waitFor(page, () => bigFileMarkFigures(e2e).length > before, true, 'a gutter figure on opening again', STEP_TIMEOUT_MS);
      e2e.figures.gutterOpenMs.push(bigFileMarkFigures(e2e).at(-1));
    }
    e2e.figures.gutterRefreshMs = [];
    for (let sample = 0; sample < 3; sample += 1) {
      const before = bigFileMarkFigures(e2e).length;
      await runPaletteCommand(page, 'Vidurai: Refresh');
      await waitFor(page, () => bigFileMarkFigures(e2e).length > before, true, 'a gutter figure on Refresh', STEP_TIMEOUT_MS);
      e2e.figures.gutterRefreshMs.push(bigFileMarkFigures(e2e).at(-1));
    }
    check((await gutterMarkedLines(page)).includes(2501), 'the reopened file lost its gutter mark on line 2501');
  });
}

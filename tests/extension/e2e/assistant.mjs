// The chat-facing API (memories for the assistant), tested inside VS Code's extension host:
// fixture-assistant/ is a test-only extension installed beside Vidurai; its palette command
// calls Vidurai's language model tools and MCP definition provider as a chat would. This side
// runs that command, answers the confirmation dialogs as a person would (Cancel, then Yes),
// checks with the CLI that nothing is stored before the Yes, and turns each check the fixture
// reports into a scenario.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE_TIMEOUT_MS = 90_000;
const DECLINED_NOTE = 'Never retry payments without an idempotency key';
const ACCEPTED_NOTE = 'The gateway retry budget is five attempts, agreed with the payments team';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Packages the fixture extension into `work`; returns the .vsix for code-server to install. */
export function packageAssistantFixture(work, vsce) {
  const vsix = join(work, 'fixture-assistant.vsix');
  execFileSync(process.execPath, [vsce, 'package', '--skip-license', '--allow-missing-repository', '--out', vsix], {
    cwd: join(here, 'fixture-assistant'),
    stdio: 'pipe',
  });
  return vsix;
}

/**
 * @param {object} t what run.mjs shares: the workbench page, scenario, check and
 * runPaletteCommand, the run's folder, workspace and database, the Python VS Code runs, two
 * seeded memories, and recall(note) (the stored memories whose gist holds the note, by the CLI).
 */
export async function assistantScenarios(t) {
  const extensions = join(t.work, 'extensions');
  const fixture = join(extensions, readdirSync(extensions).find((name) => name.startsWith('vidurai-tests.fixture-assistant-')));
  writeFileSync(
    join(fixture, 'config.json'),
    JSON.stringify({
      workspace: t.workspace,
      database: t.database,
      python: t.python,
      backoff: t.backoff,
      unrelated: t.unrelated,
      declinedNote: DECLINED_NOTE,
      acceptedNote: ACCEPTED_NOTE,
    }),
  );
  const resultsFile = join(fixture, 'results.json');
  const fixtureResult = async (name) => {
    const deadline = Date.now() + FIXTURE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const results = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8') || '[]') : [];
      const found = results.find((r) => r.name === name || r.name === 'the checks ran to the end');
      if (found) {
        t.check(found.ok, found.detail);
        return;
      }
      await sleep(200);
    }
    throw new Error(`the fixture extension reported nothing for “${name}” in ${FIXTURE_TIMEOUT_MS / 1000} s`);
  };
  /** Lets the fixture ask to remember `note`, waits for the confirmation, answers `button`. */
  const answerDialog = async (page, step, note, button) => {
    writeFileSync(join(fixture, `ready-${step}`), '');
    const dialog = page.locator('.monaco-dialog-box', { hasText: note });
    await dialog.waitFor({ timeout: FIXTURE_TIMEOUT_MS });
    t.check((await dialog.innerText()).includes('Remember this note?'), 'the dialog does not ask to remember');
    t.check(t.recall(note).length === 0, 'the note was stored before the user answered');
    await dialog.locator('.monaco-button', { hasText: new RegExp(`^${button}$`) }).click();
  };

  const page = t.page;
  await t.scenario(page, 'assistant: the tools are listed in vscode.lm.tools', async () => {
    await t.runPaletteCommand(page, 'Vidurai Tests: Check the Chat API');
    await fixtureResult('the tools are listed in vscode.lm.tools');
  });
  await t.scenario(page, 'assistant: vidurai_recall finds the seeded memory and reads it in full by id', () =>
    fixtureResult('vidurai_recall finds the seeded memory, compactly, and reads it in full by id'),
  );
  await t.scenario(page, 'assistant: vidurai_remember asks first; Cancel stores nothing', async () => {
    await answerDialog(page, 'declined', DECLINED_NOTE, 'Cancel');
    await fixtureResult('vidurai_remember: Cancel in the confirmation stores nothing');
  });
  await t.scenario(page, 'assistant: vidurai_remember stores the note only after Yes', async () => {
    await answerDialog(page, 'accepted', ACCEPTED_NOTE, 'Yes');
    await fixtureResult('vidurai_remember: after the user confirms, the note is stored at its line');
    const stored = t.recall(ACCEPTED_NOTE);
    t.check(stored.length === 1 && stored[0].file_path === 'app.py' && stored[0].line_number === 5, `stored: ${JSON.stringify(stored)}`);
  });
  await t.scenario(page, 'assistant: the MCP definition, started as given, answers tools/list over stdio', () =>
    fixtureResult('the MCP definition starts, as given, a read-only server that answers tools/list'),
  );
  await t.scenario(page, 'assistant: allowing MCP writes changes the version and the tools; off gives no server', () =>
    fixtureResult('allowing writes changes the definition\'s version and adds remember; turning it off gives none'),
  );
}

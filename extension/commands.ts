// The palette, tree and hover commands. Each asks the server and shows the answer; none of them
// decides anything about memories itself.
import type { Disposable, LogOutputChannel, QuickPickItem, TextEditor } from 'vscode';
import { QuickPickItemKind, Range, Uri, commands, env, window, workspace } from 'vscode';
import type { ServerManager } from './client';
import { NotRunningError } from './client';
import { locationText } from './markdown';
import type {
  ContextResult,
  ForgetResult,
  GroupBy,
  MemoryDetail,
  MemoryItem,
  RememberArgs,
  ReportResult,
  RunForgettingResult,
  SearchResult,
} from './protocol';
import { GroupByValues, Requests, ServerCommands } from './protocol';
import { audienceChoices } from './settings';
import type { ViewState } from './viewState';
import type { EditorMarks } from './views/gutter';
import type { MemoryDocumentProvider } from './views/memoryDocument';
import type { MemoryTreeNode, MemoryTreeProvider } from './views/memoryTree';
import { errorMessage } from './views/memoryTree';
import { GroupByLabels } from './views/treeModel';

const SEARCH_DEBOUNCE_MS = 150;
/** Search Memories shows at most this many matches (the server's page limit is higher). */
const SEARCH_PICK_LIMIT = 50;
const REPORT_DAYS = 7;

interface Services {
  server: ServerManager;
  viewState: ViewState;
  tree: MemoryTreeProvider;
  documents: MemoryDocumentProvider;
  marks: EditorMarks;
  log: LogOutputChannel;
}

/** What a command receives: a tree node, a memory id from a hover link, or nothing (palette). */
type MemoryTarget = MemoryTreeNode | number | string | undefined;

export function registerCommands(services: Services): Disposable[] {
  const context = new CommandContext(services);
  return [
    ...noteCommands(context),
    ...viewCommands(context),
    ...briefingCommands(context),
    ...memoryCommands(context),
    ...maintenanceCommands(context),
  ];
}

/** The services every command uses, and what several commands share: errors, the project, picks. */
class CommandContext {
  readonly server: ServerManager;
  readonly viewState: ViewState;
  readonly tree: MemoryTreeProvider;
  readonly documents: MemoryDocumentProvider;
  readonly marks: EditorMarks;
  readonly log: LogOutputChannel;

  constructor(services: Services) {
    this.server = services.server;
    this.viewState = services.viewState;
    this.tree = services.tree;
    this.documents = services.documents;
    this.marks = services.marks;
    this.log = services.log;
  }

  /** Registers a command whose failures become one message with a "Show Logs" button. */
  register(id: string, name: string, body: (...args: never[]) => Promise<unknown>): Disposable {
    return commands.registerCommand(id, this.guarded(name, body));
  }

  private guarded(name: string, body: (...args: never[]) => Promise<unknown>) {
    return async (...args: never[]): Promise<void> => {
      try {
        await body(...args);
      } catch (error) {
        this.log.error(`${name}: ${errorMessage(error)}`);
        this.server.showError(
          error instanceof NotRunningError ? error.message : `Vidurai: ${name} failed: ${errorMessage(error)}`,
        );
      }
    };
  }

  /** The workspace folder of the active editor, else the first folder. */
  project(): string | undefined {
    const active = window.activeTextEditor?.document.uri;
    const folder = (active && workspace.getWorkspaceFolder(active)) || workspace.workspaceFolders?.[0];
    return folder?.uri.toString();
  }

  /** The memory a command is about; asks with a search when it was run from the palette. */
  async resolveMemoryId(target: MemoryTarget, prompt: string): Promise<number | undefined> {
    if (typeof target === 'number') {
      return target;
    }
    if (typeof target === 'string' && /^\d+$/.test(target)) {
      return Number(target);
    }
    if (target && typeof target === 'object' && target.kind === 'memory') {
      return target.memory.id;
    }
    return (await pickMemory(this.server, this.viewState, this.project(), prompt))?.id;
  }

  /** The memory itself: from its tree row, else asked from the server by id. */
  async resolveMemory(target: MemoryTarget, prompt: string): Promise<MemoryItem | undefined> {
    if (target && typeof target === 'object' && target.kind === 'memory') {
      return target.memory;
    }
    const id = await this.resolveMemoryId(target, prompt);
    return id === undefined ? undefined : (await this.server.sendRequest<MemoryDetail>(Requests.memory, { id })).memory;
  }
}

// ---------------------------------------------------------------------- remembering

function noteCommands(context: CommandContext): Disposable[] {
  return [
    context.register('vidurai.rememberSelection', 'Remember Selection', () => rememberSelection(context)),
    context.register('vidurai.rememberNote', 'Remember Note', () => rememberNote(context)),
  ];
}

async function rememberSelection(context: CommandContext): Promise<void> {
  const editor = window.activeTextEditor;
  if (!editor) {
    void window.showInformationMessage('Vidurai: open a file and select what to remember.');
    return;
  }
  if (!haveProject(context)) {
    return;
  }
  if (!anchorable(editor)) {
    const note = await askNote('Vidurai: Remember Selection (for the project)', `Note: ${whyProjectNote(editor)}.`);
    if (note) {
      const selection = editor.selection.isEmpty
        ? editor.document.lineAt(editor.selection.start.line).text
        : editor.document.getText(editor.selection);
      await sendNote(context, { note: note.trim(), project: context.project(), selection });
    }
    return;
  }
  const note = await askNote('Vidurai: Remember Selection');
  if (note) {
    await rememberAt(context, editor, note.trim(), true);
  }
}

async function rememberNote(context: CommandContext): Promise<void> {
  if (!haveProject(context)) {
    return;
  }
  const active = window.activeTextEditor;
  const editor = anchorable(active);
  if (!editor) {
    // No file of the workspace in front: a note about the whole project ("Without a file").
    const note = await askNote(
      'Vidurai: Remember Note (about the project)',
      active ? `Note: ${whyProjectNote(active)}.` : undefined,
    );
    if (note) {
      await sendNote(context, { note: note.trim(), project: context.project() });
    }
    return;
  }
  const note = await askNote(`Vidurai: Remember Note (line ${editor.selection.active.line + 1})`);
  if (note) {
    await rememberAt(context, editor, note.trim(), false);
  }
}

/** A note anchored at the editor's selection (its lines, and their text when `withSelection`). */
async function rememberAt(context: CommandContext, editor: TextEditor, note: string, withSelection: boolean): Promise<void> {
  const selection = editor.selection;
  // A selection that ends at the start of a line does not include that line.
  const endLine =
    selection.end.line > selection.start.line && selection.end.character === 0
      ? selection.end.line - 1
      : selection.end.line;
  const args: RememberArgs = {
    uri: editor.document.uri.toString(),
    startLine: selection.start.line,
    endLine: withSelection ? endLine : selection.start.line,
    note,
  };
  if (withSelection) {
    args.selection = selection.isEmpty
      ? editor.document.lineAt(selection.start.line).text
      : editor.document.getText(new Range(selection.start.line, 0, endLine, Number.MAX_SAFE_INTEGER));
  }
  await sendNote(context, args);
}

async function sendNote(context: CommandContext, args: RememberArgs): Promise<void> {
  const memory = await context.server.executeServerCommand<MemoryItem>(ServerCommands.remember, args);
  context.tree.refresh();
  window.setStatusBarMessage(`$(check) Vidurai remembered: ${memory.label || memory.gist}`, 4000);
}

/**
 * The editor a note can be anchored in: a saved file inside a workspace folder. Elsewhere (an
 * untitled buffer, a file outside the folders) the note is kept for the project, and the
 * input box says so before anything is typed.
 */
function anchorable(editor: TextEditor | undefined): TextEditor | undefined {
  return editor && editor.document.uri.scheme === 'file' && workspace.getWorkspaceFolder(editor.document.uri)
    ? editor
    : undefined;
}

function whyProjectNote(editor: TextEditor): string {
  return `${editor.document.isUntitled ? 'an unsaved file' : 'this file'} is not in a workspace folder, so the note is kept for the project`;
}

/** No folder open: nothing to keep a note in. Says so (before asking) and returns false. */
function haveProject(context: CommandContext): boolean {
  if (context.project()) {
    return true;
  }
  void window.showInformationMessage('Vidurai keeps memories per workspace folder: open a folder first.');
  return false;
}

function askNote(title: string, prompt = 'What should Vidurai remember?'): Thenable<string | undefined> {
  return window.showInputBox({
    title,
    prompt: `${prompt} (Secrets are redacted before they are stored.)`,
    placeHolder: 'e.g. The retry loop must stay below the gateway timeout',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Write a few words to remember.'),
  });
}

// ---------------------------------------------------------------------- finding and viewing

function viewCommands(context: CommandContext): Disposable[] {
  return [
    context.register('vidurai.search', 'Search Memories', () => searchMemories(context)),
    context.register('vidurai.switchAudience', 'Switch Audience', () => switchAudience(context)),
    context.register('vidurai.groupBy', 'Group By', () => chooseGrouping(context)),
    // Everything read from the store again: the tree, and the gutter of the visible editors.
    commands.registerCommand('vidurai.refresh', () => {
      context.tree.refresh();
      context.marks.refreshVisible();
    }),
  ];
}

async function searchMemories(context: CommandContext): Promise<void> {
  const memory = await pickMemory(context.server, context.viewState, context.project(), 'Search memories');
  if (memory) {
    await openMemory(context, memory);
  }
}

/** The memory's lines in its file, or the memory itself when it has no place. */
async function openMemory(context: CommandContext, memory: MemoryItem): Promise<void> {
  if (!memory.uri) {
    await context.documents.showMemory(memory.id);
    return;
  }
  const line = memory.line ?? 0;
  await window.showTextDocument(Uri.parse(memory.uri), { selection: new Range(line, 0, line, 0) });
}

async function switchAudience(context: CommandContext): Promise<void> {
  const { server, viewState } = context;
  const current = viewState.audience;
  const choices = audienceChoices(viewState.settings().server.audiences);
  const picked = await window.showQuickPick(
    choices.map((audience) => ({ label: audience, description: audience === current ? 'current' : undefined })),
    { title: 'Vidurai: Switch Audience', placeHolder: 'Who should hovers and the tree speak to?' },
  );
  if (picked && picked.label !== current) {
    await server.executeServerCommand(ServerCommands.setAudience, picked.label);
    await viewState.setAudience(picked.label);
  }
}

async function chooseGrouping(context: CommandContext): Promise<void> {
  const current = context.viewState.groupBy;
  const picked = await window.showQuickPick(
    GroupByValues.map((groupBy) => ({
      label: GroupByLabels[groupBy],
      groupBy,
      description: groupBy === current ? 'current' : undefined,
    })),
    { title: 'Vidurai: Group Memories By' },
  );
  if (picked) {
    await context.viewState.setGroupBy(picked.groupBy as GroupBy);
  }
}

// ---------------------------------------------------------------------- briefings

function briefingCommands(context: CommandContext): Disposable[] {
  return [
    context.register('vidurai.copyContext', 'Copy AI Context', () => copyContext(context)),
    context.register('vidurai.managerReport', 'Manager Report', () => managerReport(context)),
  ];
}

async function copyContext(context: CommandContext): Promise<void> {
  const result = await context.server.sendRequest<ContextResult>(Requests.context, {
    project: context.project(),
    uri: window.activeTextEditor?.document.uri.toString(),
    maxTokens: context.viewState.settings().server.context.maxTokens,
  });
  await env.clipboard.writeText(result.markdown);
  void window.showInformationMessage(
    `Vidurai: copied AI context — ${result.memoryCount} ${result.memoryCount === 1 ? 'memory' : 'memories'}, about ${result.tokens} tokens.`,
  );
}

async function managerReport(context: CommandContext): Promise<void> {
  const result = await context.server.sendRequest<ReportResult>(Requests.report, {
    project: context.project(),
    days: REPORT_DAYS,
    audience: 'manager',
  });
  const document = await workspace.openTextDocument({ language: 'markdown', content: result.markdown });
  await window.showTextDocument(document);
}

// ---------------------------------------------------------------------- one memory

function memoryCommands(context: CommandContext): Disposable[] {
  return [
    context.register('vidurai.showMemory', 'Show Memory', (target: MemoryTarget) => showMemory(context, target)),
    context.register('vidurai.pin', 'Pin', (target: MemoryTarget) =>
      setPinned(context, target, 'Pin', ServerCommands.pin),
    ),
    context.register('vidurai.unpin', 'Unpin', (target: MemoryTarget) =>
      setPinned(context, target, 'Unpin', ServerCommands.unpin),
    ),
    context.register('vidurai.forget', 'Forget', (target: MemoryTarget) => forget(context, target)),
    context.register('vidurai.copyGist', 'Copy Gist', (target: MemoryTarget) => copyGist(context, target)),
  ];
}

async function showMemory(context: CommandContext, target: MemoryTarget): Promise<void> {
  const id = await context.resolveMemoryId(target, 'Show which memory?');
  if (id !== undefined) {
    await context.documents.showMemory(id);
  }
}

async function setPinned(
  context: CommandContext,
  target: MemoryTarget,
  name: 'Pin' | 'Unpin',
  serverCommand: string,
): Promise<void> {
  const id = await context.resolveMemoryId(target, `${name} which memory?`);
  if (id !== undefined) {
    await context.server.executeServerCommand<MemoryItem>(serverCommand, id);
    context.tree.refresh();
  }
}

async function forget(context: CommandContext, target: MemoryTarget): Promise<void> {
  const { server } = context;
  const id = await context.resolveMemoryId(target, 'Forget which memory?');
  if (id === undefined) {
    return;
  }
  const label =
    target && typeof target === 'object' && target.kind === 'memory'
      ? target.memory.label
      : (await server.sendRequest<MemoryDetail>(Requests.memory, { id })).memory.label;
  const confirmed = await window.showWarningMessage(
    `Forget “${label}”?`,
    { modal: true, detail: 'The memory and all its gists are deleted; the forgetting log keeps one line.' },
    'Forget',
  );
  if (confirmed === 'Forget') {
    await server.executeServerCommand<ForgetResult>(ServerCommands.forget, id);
    context.tree.refresh();
  }
}

async function copyGist(context: CommandContext, target: MemoryTarget): Promise<void> {
  const memory = await context.resolveMemory(target, 'Copy the gist of which memory?');
  if (memory) {
    await env.clipboard.writeText(memory.label || memory.gist);
    window.setStatusBarMessage('$(check) Vidurai: gist copied', 3000);
  }
}

// ---------------------------------------------------------------------- forgetting and the server

function maintenanceCommands(context: CommandContext): Disposable[] {
  return [
    context.register('vidurai.runForgetting', 'Run Forgetting Now', () => runForgetting(context)),
    context.register('vidurai.showLedger', 'Show Forgetting Log', () => context.documents.showLedger()),
    context.register('vidurai.restartServer', 'Restart Server', () => context.server.restart()),
    commands.registerCommand('vidurai.showLogs', () => context.log.show()),
  ];
}

async function runForgetting(context: CommandContext): Promise<void> {
  const result = await context.server.executeServerCommand<RunForgettingResult>(ServerCommands.runForgetting);
  const count = result.forgotten.length;
  if (count === 0) {
    void window.showInformationMessage('Vidurai: nothing was due to be forgotten.');
    return;
  }
  context.tree.refresh();
  const names = result.forgotten
    .slice(0, 3)
    .map((entry) => `“${entry.gist}” (${entry.reason})`)
    .join(', ');
  const more = count > 3 ? ` and ${count - 3} more` : '';
  const choice = await window.showInformationMessage(
    `Vidurai forgot ${count} ${count === 1 ? 'memory' : 'memories'}: ${names}${more}.`,
    'Show Forgetting Log',
  );
  if (choice) {
    await context.documents.showLedger();
  }
}

interface MemoryPick extends QuickPickItem {
  memory?: MemoryItem;
}

/** A quick pick that asks the server as the user types; resolves to the chosen memory. */
function pickMemory(
  server: ServerManager,
  viewState: ViewState,
  project: string | undefined,
  title: string,
): Promise<MemoryItem | undefined> {
  const quickPick = window.createQuickPick<MemoryPick>();
  quickPick.title = `Vidurai: ${title}`;
  quickPick.placeholder = 'Type words from a memory, a file name or an error';
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latestQuery = '';

  const search = async (query: string): Promise<void> => {
    latestQuery = query;
    if (!query.trim()) {
      quickPick.items = [];
      quickPick.busy = false;
      return;
    }
    quickPick.busy = true;
    try {
      const result = await server.sendRequest<SearchResult>(Requests.search, {
        query,
        project,
        audience: viewState.audienceFor(project ? Uri.parse(project) : undefined),
        limit: SEARCH_PICK_LIMIT,
      });
      if (query !== latestQuery) {
        return; // an answer to an older query
      }
      quickPick.items = result.results.length
        ? result.results.map((memory) => ({
            label: memory.label || memory.gist,
            description: [locationText(memory), memory.age].filter(Boolean).join(' · '),
            // The matched text when it adds to the label (the server leaves it empty otherwise);
            // it marks matches with ** for Markdown, and a quick pick shows plain text.
            detail: memory.snippet ? memory.snippet.replace(/\*\*/g, '') : undefined,
            // The server has already matched (also on words the label lacks): show every result.
            alwaysShow: true,
            memory,
          }))
        : [{ label: 'No memory matches', kind: QuickPickItemKind.Separator, alwaysShow: true }];
    } catch (error) {
      quickPick.items = [{ label: `Search failed: ${errorMessage(error)}`, alwaysShow: true }];
    } finally {
      if (query === latestQuery) {
        quickPick.busy = false;
      }
    }
  };

  return new Promise((resolve) => {
    quickPick.onDidChangeValue((value) => {
      clearTimeout(timer);
      timer = setTimeout(() => void search(value), SEARCH_DEBOUNCE_MS);
    });
    quickPick.onDidAccept(() => {
      const memory = quickPick.selectedItems[0]?.memory;
      if (memory) {
        resolve(memory);
        quickPick.hide();
      }
    });
    quickPick.onDidHide(() => {
      clearTimeout(timer);
      resolve(undefined);
      quickPick.dispose();
    });
    quickPick.show();
  });
}

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
import type { MemoryDocumentProvider } from './views/memoryDocument';
import type { MemoryTreeNode, MemoryTreeProvider } from './views/memoryTree';
import { errorMessage } from './views/memoryTree';
import { GroupByLabels } from './views/treeModel';

const SEARCH_DEBOUNCE_MS = 150;
const REPORT_DAYS = 7;

interface Services {
  server: ServerManager;
  viewState: ViewState;
  tree: MemoryTreeProvider;
  documents: MemoryDocumentProvider;
  log: LogOutputChannel;
}

/** What a command receives: a tree node, a memory id from a hover link, or nothing (palette). */
type MemoryTarget = MemoryTreeNode | number | string | undefined;

export function registerCommands(services: Services): Disposable[] {
  const { server, viewState, tree, documents, log } = services;

  /** Runs a command body and turns failures into one message with a "Show Logs" button. */
  const guarded =
    (name: string, body: (...args: never[]) => Promise<unknown>) =>
    async (...args: never[]): Promise<void> => {
      try {
        await body(...args);
      } catch (error) {
        log.error(`${name}: ${errorMessage(error)}`);
        server.showError(
          error instanceof NotRunningError ? error.message : `Vidurai: ${name} failed: ${errorMessage(error)}`,
        );
      }
    };

  const project = (): string | undefined => {
    const active = window.activeTextEditor?.document.uri;
    const folder = (active && workspace.getWorkspaceFolder(active)) || workspace.workspaceFolders?.[0];
    return folder?.uri.toString();
  };

  const resolveMemoryId = async (target: MemoryTarget, prompt: string): Promise<number | undefined> => {
    if (typeof target === 'number') {
      return target;
    }
    if (typeof target === 'string' && /^\d+$/.test(target)) {
      return Number(target);
    }
    if (target && typeof target === 'object' && target.kind === 'memory') {
      return target.memory.id;
    }
    return (await pickMemory(server, viewState, project(), prompt))?.id;
  };

  const remember = async (editor: TextEditor, note: string, withSelection: boolean): Promise<void> => {
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
    await sendNote(args);
  };

  const sendNote = async (args: RememberArgs): Promise<void> => {
    const memory = await server.executeServerCommand<MemoryItem>(ServerCommands.remember, args);
    tree.refresh();
    window.setStatusBarMessage(`$(check) Vidurai remembered: ${memory.label || memory.gist}`, 4000);
  };

  /**
   * The editor a note can be anchored in: a saved file inside a workspace folder. Elsewhere (an
   * untitled buffer, a file outside the folders) the note is kept for the project, and the
   * input box says so before anything is typed.
   */
  const anchorable = (editor: TextEditor | undefined): TextEditor | undefined =>
    editor && editor.document.uri.scheme === 'file' && workspace.getWorkspaceFolder(editor.document.uri) ? editor : undefined;

  const whyProjectNote = (editor: TextEditor): string =>
    `${editor.document.isUntitled ? 'an unsaved file' : 'this file'} is not in a workspace folder, so the note is kept for the project`;

  /** No folder open: nothing to keep a note in. Says so (before asking) and returns false. */
  const haveProject = (): boolean => {
    if (project()) {
      return true;
    }
    void window.showInformationMessage('Vidurai keeps memories per workspace folder: open a folder first.');
    return false;
  };

  const askNote = (title: string, prompt = 'What should Vidurai remember?'): Thenable<string | undefined> =>
    window.showInputBox({
      title,
      prompt: `${prompt} (Secrets are redacted before they are stored.)`,
      placeHolder: 'e.g. The retry loop must stay below the gateway timeout',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'Write a few words to remember.'),
    });

  const setPinned = (name: 'Pin' | 'Unpin', serverCommand: string) =>
    guarded(name, async (target: MemoryTarget) => {
      const id = await resolveMemoryId(target, `${name} which memory?`);
      if (id !== undefined) {
        await server.executeServerCommand<MemoryItem>(serverCommand, id);
        tree.refresh();
      }
    });

  const openMemory = async (memory: MemoryItem): Promise<void> => {
    if (!memory.uri) {
      await documents.showMemory(memory.id);
      return;
    }
    const line = memory.line ?? 0;
    await window.showTextDocument(Uri.parse(memory.uri), { selection: new Range(line, 0, line, 0) });
  };

  return [
    commands.registerCommand(
      'vidurai.rememberSelection',
      guarded('Remember Selection', async () => {
        const editor = window.activeTextEditor;
        if (!editor) {
          void window.showInformationMessage('Vidurai: open a file and select what to remember.');
          return;
        }
        if (!haveProject()) {
          return;
        }
        if (!anchorable(editor)) {
          const note = await askNote('Vidurai: Remember Selection (for the project)', `Note: ${whyProjectNote(editor)}.`);
          if (note) {
            const selection = editor.selection.isEmpty ? editor.document.lineAt(editor.selection.start.line).text : editor.document.getText(editor.selection);
            await sendNote({ note: note.trim(), project: project(), selection });
          }
          return;
        }
        const note = await askNote('Vidurai: Remember Selection');
        if (note) {
          await remember(editor, note.trim(), true);
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.rememberNote',
      guarded('Remember Note', async () => {
        if (!haveProject()) {
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
            await sendNote({ note: note.trim(), project: project() });
          }
          return;
        }
        const note = await askNote(`Vidurai: Remember Note (line ${editor.selection.active.line + 1})`);
        if (note) {
          await remember(editor, note.trim(), false);
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.search',
      guarded('Search Memories', async () => {
        const memory = await pickMemory(server, viewState, project(), 'Search memories');
        if (memory) {
          await openMemory(memory);
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.switchAudience',
      guarded('Switch Audience', async () => {
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
      }),
    ),
    commands.registerCommand(
      'vidurai.groupBy',
      guarded('Group By', async () => {
        const current = viewState.groupBy;
        const picked = await window.showQuickPick(
          GroupByValues.map((groupBy) => ({
            label: GroupByLabels[groupBy],
            groupBy,
            description: groupBy === current ? 'current' : undefined,
          })),
          { title: 'Vidurai: Group Memories By' },
        );
        if (picked) {
          await viewState.setGroupBy(picked.groupBy as GroupBy);
        }
      }),
    ),
    commands.registerCommand('vidurai.refresh', () => tree.refresh()),
    commands.registerCommand(
      'vidurai.copyContext',
      guarded('Copy AI Context', async () => {
        const result = await server.sendRequest<ContextResult>(Requests.context, {
          project: project(),
          uri: window.activeTextEditor?.document.uri.toString(),
          maxTokens: viewState.settings().server.context.maxTokens,
        });
        await env.clipboard.writeText(result.markdown);
        void window.showInformationMessage(
          `Vidurai: copied AI context — ${result.memoryCount} ${result.memoryCount === 1 ? 'memory' : 'memories'}, about ${result.tokens} tokens.`,
        );
      }),
    ),
    commands.registerCommand(
      'vidurai.managerReport',
      guarded('Manager Report', async () => {
        const result = await server.sendRequest<ReportResult>(Requests.report, {
          project: project(),
          days: REPORT_DAYS,
          audience: 'manager',
        });
        const document = await workspace.openTextDocument({ language: 'markdown', content: result.markdown });
        await window.showTextDocument(document);
      }),
    ),
    commands.registerCommand(
      'vidurai.showMemory',
      guarded('Show Memory', async (target: MemoryTarget) => {
        const id = await resolveMemoryId(target, 'Show which memory?');
        if (id !== undefined) {
          await documents.showMemory(id);
        }
      }),
    ),
    commands.registerCommand('vidurai.pin', setPinned('Pin', ServerCommands.pin)),
    commands.registerCommand('vidurai.unpin', setPinned('Unpin', ServerCommands.unpin)),
    commands.registerCommand(
      'vidurai.forget',
      guarded('Forget', async (target: MemoryTarget) => {
        const id = await resolveMemoryId(target, 'Forget which memory?');
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
          tree.refresh();
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.copyGist',
      guarded('Copy Gist', async (target: MemoryTarget) => {
        const memory =
          target && typeof target === 'object' && target.kind === 'memory'
            ? target.memory
            : await (async () => {
                const id = await resolveMemoryId(target, 'Copy the gist of which memory?');
                return id === undefined ? undefined : (await server.sendRequest<MemoryDetail>(Requests.memory, { id })).memory;
              })();
        if (memory) {
          await env.clipboard.writeText(memory.label || memory.gist);
          window.setStatusBarMessage('$(check) Vidurai: gist copied', 3000);
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.runForgetting',
      guarded('Run Forgetting Now', async () => {
        const result = await server.executeServerCommand<RunForgettingResult>(ServerCommands.runForgetting);
        const count = result.forgotten.length;
        if (count === 0) {
          void window.showInformationMessage('Vidurai: nothing was due to be forgotten.');
          return;
        }
        tree.refresh();
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
          await documents.showLedger();
        }
      }),
    ),
    commands.registerCommand(
      'vidurai.showLedger',
      guarded('Show Forgetting Log', () => documents.showLedger()),
    ),
    commands.registerCommand(
      'vidurai.restartServer',
      guarded('Restart Server', () => server.restart()),
    ),
    commands.registerCommand('vidurai.showLogs', () => log.show()),
  ];
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
        limit: 50,
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

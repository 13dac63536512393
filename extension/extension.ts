// Activation: wire the views, commands and forwarders, then start the server without waiting
// for it (activation stays quick; the tree shows its memories once the server answers). The
// window's first start begins earlier still, as VS Code loads this code (serverStart.ts).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ExtensionContext } from 'vscode';
import { window, workspace } from 'vscode';
import type { ViduraiApi } from './assistant';
import { registerAssistant } from './assistant';
import type { ServerInfo } from './client';
import { ServerManager } from './client';
import { DiagnosticsForwarder } from './capture/diagnostics';
import { TerminalForwarder } from './capture/terminal';
import { registerCommands } from './commands';
import { ServerStart } from './serverStart';
import { readSettings } from './settings';
import { ServerStatus } from './status';
import { AudienceStatus } from './statusAudience';
import { ViewState } from './viewState';
import { EditorMarks } from './views/gutter';
import { MemoryDocumentProvider } from './views/memoryDocument';
import { MemoryTreeProvider } from './views/memoryTree';

const extensionRoot = path.dirname(__dirname); // the bundle is out/extension.js
const serverInfo = (JSON.parse(readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as { serverInfo: ServerInfo }).serverInfo;
let server: ServerManager | undefined;
let firstStart: ServerStart | undefined = beginFirstStart();

/** The server's start, begun before VS Code calls activate(); the settings are read as activate() reads them. */
function beginFirstStart(): ServerStart {
  const config = workspace.getConfiguration(serverInfo.id);
  const { pythonPath } = readSettings((key, defaultValue) => config.get(key, defaultValue));
  return new ServerStart(extensionRoot, serverInfo, pythonPath, workspace.workspaceFolders?.[0]?.uri);
}

export function activate(context: ExtensionContext): ViduraiApi {
  const started = performance.now();
  const log = window.createOutputChannel(serverInfo.name, { log: true });
  const viewState = new ViewState(context.workspaceState);
  server = new ServerManager(context, serverInfo, log, () => viewState.settings(), firstStart);
  firstStart = undefined; // a later activation (after a deactivation) starts its own
  const tree = new MemoryTreeProvider(server, viewState);
  const documents = new MemoryDocumentProvider(server);
  const marks = new EditorMarks(server, viewState, context.extensionUri, log);
  const assistant = registerAssistant(context, serverInfo, server, log, () => viewState.settings());

  context.subscriptions.push(
    log,
    viewState,
    tree,
    documents,
    new ServerStatus(server, viewState),
    new AudienceStatus(viewState),
    marks,
    new DiagnosticsForwarder(server, viewState),
    new TerminalForwarder(server, viewState),
    ...registerCommands({ server, viewState, tree, documents, marks, log }),
    ...assistant.disposables,
    workspace.onDidChangeConfiguration(async (event) => {
      if (!event.affectsConfiguration(serverInfo.id)) {
        return;
      }
      if (event.affectsConfiguration(`${serverInfo.id}.pythonPath`)) {
        await server?.restart();
        return;
      }
      if (event.affectsConfiguration(`${serverInfo.id}.audience`)) {
        await viewState.clearAudienceOverride();
      }
      await server?.sendSettings();
      log.info('Settings changed: sent to the server (no restart needed)');
      tree.refresh();
    }),
    workspace.onDidChangeWorkspaceFolders(() =>
      log.info(`Workspace folders changed: ${workspace.workspaceFolders?.length ?? 0} now`),
    ),
    tree.onDidFirstShowMemories((count) =>
      log.info(`Memories tree showed its first ${count} memories ${Math.round(performance.now() - started)} ms after activation began`),
    ),
  );

  void server.restart();
  const folders = workspace.workspaceFolders?.length ?? 0;
  log.info(`Activated in ${(performance.now() - started).toFixed(1)} ms (the server starts in the background; ${folders} workspace folder${folders === 1 ? '' : 's'})`);
  return assistant.api;
}

export async function deactivate(): Promise<void> {
  await server?.dispose();
  server = undefined;
}

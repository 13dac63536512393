// Gives VS Code's chat our MCP server without an mcp.json: one stdio definition per workspace
// folder, started with the language server's interpreter, bundled libraries and database.
// Read-only unless `vidurai.assistant.allowWrites` is on. Its `version` is a digest of the
// server's tool code (and of the write switch), so VS Code re-reads the tools when they change.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Disposable, Event, ExtensionContext, LogOutputChannel, McpServerDefinitionProvider } from 'vscode';
import { EventEmitter, McpStdioServerDefinition, Uri, workspace } from 'vscode';
import type { ServerInfo } from '../client';
import { findInterpreter } from '../python';
import { pythonModuleLaunch } from '../serverLaunch';
import type { ExtensionSettings } from '../settings';

export const MCP_PROVIDER_ID = 'vidurai.memories';

/** The files whose code defines the MCP tools; their digest is the definition's version. */
const TOOL_SOURCES = ['server/vidurai/mcp_server.py', 'server/vidurai/mcp_stdio.py'];

/** Settings that change what the definitions are. */
const AFFECTING = ['vidurai.assistant.mcpServer', 'vidurai.assistant.allowWrites', 'vidurai.pythonPath', 'vidurai.databasePath'];

export class ViduraiMcpProvider implements McpServerDefinitionProvider<McpStdioServerDefinition>, Disposable {
  private readonly changed = new EventEmitter<void>();
  private readonly listeners: Disposable[];
  private toolsDigest: string | undefined;
  readonly onDidChangeMcpServerDefinitions: Event<void> = this.changed.event;

  constructor(
    private readonly context: ExtensionContext,
    private readonly serverInfo: ServerInfo,
    private readonly log: LogOutputChannel,
    private readonly settings: () => ExtensionSettings,
  ) {
    this.listeners = [
      workspace.onDidChangeConfiguration((event) => {
        if (AFFECTING.some((key) => event.affectsConfiguration(key))) {
          this.changed.fire();
        }
      }),
      workspace.onDidChangeWorkspaceFolders(() => this.changed.fire()),
    ];
  }

  async provideMcpServerDefinitions(): Promise<McpStdioServerDefinition[]> {
    const config = workspace.getConfiguration(this.serverInfo.id);
    const folders = (workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
    if (!config.get<boolean>('assistant.mcpServer', true) || folders.length === 0) {
      return [];
    }
    const settings = this.settings();
    let interpreter;
    try {
      interpreter = await findInterpreter(settings.pythonPath, this.serverInfo.minimumPythonVersion, folders[0].uri, this.log);
    } catch (error) {
      // The language server reports the same problem with a way to fix it; no second pop-up.
      this.log.warn(`No MCP server for chat: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    }
    const allowWrites = config.get<boolean>('assistant.allowWrites', false);
    const version = `${this.context.extension.packageJSON.version}+${this.digest()}${allowWrites ? '.write' : ''}`;
    return folders.map((folder) => {
      const args = ['mcp', '--project', folder.uri.fsPath];
      if (settings.server.databasePath) {
        args.push('--db', settings.server.databasePath);
      }
      if (allowWrites) {
        args.push('--allow-write');
      }
      const launch = pythonModuleLaunch(this.context.extensionUri.fsPath, interpreter.executable, this.serverInfo.module, args);
      const label = folders.length === 1 ? 'Vidurai memories' : `Vidurai memories (${folder.name})`;
      const definition = new McpStdioServerDefinition(label, launch.command, launch.args, launch.env, version);
      definition.cwd = Uri.file(launch.cwd);
      return definition;
    });
  }

  dispose(): void {
    this.listeners.forEach((listener) => listener.dispose());
    this.changed.dispose();
  }

  private digest(): string {
    if (this.toolsDigest === undefined) {
      const hash = createHash('sha256');
      for (const source of TOOL_SOURCES) {
        hash.update(readFileSync(path.join(this.context.extensionUri.fsPath, source)));
      }
      this.toolsDigest = hash.digest('hex').slice(0, 12);
    }
    return this.toolsDigest;
  }
}

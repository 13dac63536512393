// Memories for the chat's agent, with no configuration: the language model tools and the MCP
// server definition. Each is registered only where this VS Code has its API, so the extension
// still activates in an editor without them (older VS Code, forks); the log says what is missing.
import type { Disposable, ExtensionContext, LogOutputChannel, McpStdioServerDefinition } from 'vscode';
import { lm } from 'vscode';
import type { ServerInfo, ServerManager } from '../client';
import type { ExtensionSettings } from '../settings';
import { MCP_PROVIDER_ID, ViduraiMcpProvider } from './mcpProvider';
import { registerLanguageModelTools } from './tools';

/** What activate() returns: other extensions (and the tests) can start the same MCP server. */
export interface ViduraiApi {
  /** The MCP server definitions VS Code's chat gets; empty when turned off or unavailable. */
  mcpServerDefinitions(): Promise<McpStdioServerDefinition[]>;
}

export function registerAssistant(
  context: ExtensionContext,
  serverInfo: ServerInfo,
  server: ServerManager,
  log: LogOutputChannel,
  settings: () => ExtensionSettings,
): { disposables: Disposable[]; api: ViduraiApi } {
  const disposables: Disposable[] = [];
  const missing: string[] = [];
  if (typeof lm?.registerTool === 'function') {
    disposables.push(...registerLanguageModelTools(server));
  } else {
    missing.push('language model tools (lm.registerTool)');
  }
  let provider: ViduraiMcpProvider | undefined;
  if (typeof lm?.registerMcpServerDefinitionProvider === 'function') {
    provider = new ViduraiMcpProvider(context, serverInfo, log, settings);
    disposables.push(provider, lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, provider));
  } else {
    missing.push('MCP server definitions (lm.registerMcpServerDefinitionProvider)');
  }
  if (missing.length > 0) {
    log.info(`This editor has no API for ${missing.join(' or ')}; chat gets no Vidurai memories that way.`);
  }
  return {
    disposables,
    api: { mcpServerDefinitions: async () => (provider ? provider.provideMcpServerDefinitions() : []) },
  };
}

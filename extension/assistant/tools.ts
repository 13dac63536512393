// The language model tools a chat's agent can call: vidurai_recall (`#memories`) and
// vidurai_remember. Both ask the language server; nothing is computed here. Remember writes
// only after the user confirms the note VS Code shows from prepareInvocation.
import * as path from 'node:path';
import type {
  CancellationToken,
  Disposable,
  LanguageModelTool,
  LanguageModelToolInvocationOptions,
  LanguageModelToolInvocationPrepareOptions,
  PreparedToolInvocation,
  WorkspaceFolder,
} from 'vscode';
import { LanguageModelTextPart, LanguageModelToolResult, MarkdownString, Uri, lm, window, workspace } from 'vscode';
import type { ServerManager } from '../client';
import type { MemoryDetail, MemoryItem, MemoryParams, RememberArgs, SearchResult } from '../protocol';
import { Requests, ServerCommands } from '../protocol';
import type { RecallInput, RememberInput } from './toolText';
import { RECALL_TOOL, REMEMBER_TOOL, checkRememberInput, recallRequest, recallText, rememberPlace, rememberedText } from './toolText';

/** Gists for assistants: the `ai` audience says only what the evidence supports. */
const TOOL_AUDIENCE = 'ai';

function textResult(text: string): LanguageModelToolResult {
  return new LanguageModelToolResult([new LanguageModelTextPart(text)]);
}

/** The folder a tool works in: the active editor's, else the first. */
function currentFolder(): WorkspaceFolder {
  const active = window.activeTextEditor?.document.uri;
  const folder = (active && workspace.getWorkspaceFolder(active)) ?? workspace.workspaceFolders?.[0];
  if (!folder) {
    throw new Error('Vidurai keeps memories per workspace folder, and no folder is open.');
  }
  return folder;
}

class RecallTool implements LanguageModelTool<RecallInput> {
  constructor(private readonly server: ServerManager) {}

  prepareInvocation(options: LanguageModelToolInvocationPrepareOptions<RecallInput>): PreparedToolInvocation {
    const { id, query } = options.input;
    return { invocationMessage: id ? `Reading Vidurai memory #${id}` : `Searching Vidurai memories for "${query ?? ''}"` };
  }

  async invoke(options: LanguageModelToolInvocationOptions<RecallInput>, _token: CancellationToken): Promise<LanguageModelToolResult> {
    const request = recallRequest(options.input);
    if ('id' in request) {
      // Like a search, only the current folder's memories: an id from elsewhere is not found.
      const params: MemoryParams = { id: request.id, project: currentFolder().uri.toString() };
      const detail = await this.server.sendRequest<MemoryDetail>(Requests.memory, params);
      return textResult(detail.markdown);
    }
    const found = await this.server.sendRequest<SearchResult>(Requests.search, {
      query: request.query,
      project: currentFolder().uri.toString(),
      audience: TOOL_AUDIENCE,
      limit: request.limit,
    });
    return textResult(recallText(request.query, found.results));
  }
}

class RememberTool implements LanguageModelTool<RememberInput> {
  constructor(private readonly server: ServerManager) {}

  prepareInvocation(options: LanguageModelToolInvocationPrepareOptions<RememberInput>): PreparedToolInvocation {
    const input = checkRememberInput(options.input);
    const message = new MarkdownString();
    message.appendText(`Vidurai will remember ${rememberPlace(input)}:\n\n${input.note}\n\n`);
    message.appendText('Secrets in it are redacted before it is stored.');
    return {
      invocationMessage: 'Remembering a note in Vidurai',
      confirmationMessages: { title: 'Remember this note?', message },
    };
  }

  async invoke(options: LanguageModelToolInvocationOptions<RememberInput>, _token: CancellationToken): Promise<LanguageModelToolResult> {
    const input = checkRememberInput(options.input);
    const folder = currentFolder();
    const args: RememberArgs = { note: input.note };
    if (input.file) {
      const file = path.isAbsolute(input.file) ? Uri.file(input.file) : Uri.joinPath(folder.uri, input.file);
      const line = (input.line ?? 1) - 1;
      Object.assign(args, { uri: file.toString(), startLine: line, endLine: line });
    } else {
      args.project = folder.uri.toString();
    }
    const memory = await this.server.executeServerCommand<MemoryItem>(ServerCommands.remember, args);
    return textResult(rememberedText(memory));
  }
}

export function registerLanguageModelTools(server: ServerManager): Disposable[] {
  return [lm.registerTool(RECALL_TOOL, new RecallTool(server)), lm.registerTool(REMEMBER_TOOL, new RememberTool(server))];
}

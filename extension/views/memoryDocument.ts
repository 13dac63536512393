// Read-only Markdown documents rendered by the server: one memory (all gists, their history,
// the verbatim) and the forgetting log. A content provider makes them read-only by nature.
import type { Disposable, Event, TextDocumentContentProvider } from 'vscode';
import { EventEmitter, Uri, commands, window, workspace } from 'vscode';
import type { ServerManager } from '../client';
import type { LedgerResult, MemoryDetail } from '../protocol';
import { Requests } from '../protocol';

export const MEMORY_SCHEME = 'vidurai';
const LEDGER_PATH = '/Forgetting Log.md';

export class MemoryDocumentProvider implements TextDocumentContentProvider, Disposable {
  private readonly changeEmitter = new EventEmitter<Uri>();
  readonly onDidChange: Event<Uri> = this.changeEmitter.event;
  private readonly listeners: Disposable[];

  constructor(private readonly server: ServerManager) {
    this.listeners = [
      workspace.registerTextDocumentContentProvider(MEMORY_SCHEME, this),
      // Open views follow the store (a pin, a new gist, a forgotten memory).
      server.onDidChangeMemories(() => {
        for (const document of workspace.textDocuments) {
          if (document.uri.scheme === MEMORY_SCHEME) {
            this.changeEmitter.fire(document.uri);
          }
        }
      }),
    ];
  }

  async provideTextDocumentContent(uri: Uri): Promise<string> {
    try {
      if (uri.path === LEDGER_PATH) {
        const ledger = await this.server.sendRequest<LedgerResult>(Requests.ledger, { limit: 500 });
        return ledger.markdown;
      }
      const id = memoryIdFromUri(uri);
      if (id === undefined) {
        return `Not a Vidurai memory: ${uri.toString()}`;
      }
      const detail = await this.server.sendRequest<MemoryDetail>(Requests.memory, { id });
      return detail.markdown;
    } catch (error) {
      // A forgotten memory or a stopped server: say so in the view rather than failing to open.
      return `_${error instanceof Error ? error.message : String(error)}_`;
    }
  }

  async showMemory(id: number): Promise<void> {
    await showMarkdown(Uri.from({ scheme: MEMORY_SCHEME, path: `/Memory ${id}.md` }));
  }

  async showLedger(): Promise<void> {
    await showMarkdown(Uri.from({ scheme: MEMORY_SCHEME, path: LEDGER_PATH }));
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.changeEmitter.dispose();
  }
}

function memoryIdFromUri(uri: Uri): number | undefined {
  const match = /^\/Memory (\d+)\.md$/.exec(uri.path);
  return match ? Number(match[1]) : undefined;
}

async function showMarkdown(uri: Uri): Promise<void> {
  try {
    // The rendered preview reads best; the built-in Markdown extension provides it.
    await commands.executeCommand('markdown.showPreview', uri);
  } catch {
    const document = await workspace.openTextDocument(uri);
    await window.showTextDocument(document, { preview: true });
  }
}

// Forwards each workspace file's current diagnostics to the server, which decides when an error
// was fixed (docs/CAPTURE.md). Debounced per file; always the file's full set, never a delta, with
// the buffer's version. The server follows the buffers themselves (didChange, didSave, didClose),
// so it knows which are unsaved and when one is back to its saved text.
import type { Disposable, Uri } from 'vscode';
import { languages, workspace } from 'vscode';
import type { ServerManager } from '../client';
import type { DiagnosticsNotification, WireDiagnostic } from '../protocol';
import { Notifications } from '../protocol';
import type { ViewState } from '../viewState';
import { KeyedDebouncer } from './debounce';

const DEBOUNCE_MS = 500;

export class DiagnosticsForwarder implements Disposable {
  private readonly debouncer = new KeyedDebouncer<string>(DEBOUNCE_MS);
  private readonly listeners: Disposable[];

  constructor(
    private readonly server: ServerManager,
    private readonly viewState: ViewState,
  ) {
    this.listeners = [
      languages.onDidChangeDiagnostics((event) => {
        for (const uri of event.uris) {
          if (this.shouldForward(uri)) {
            this.debouncer.schedule(uri.toString(), () => void this.send(uri));
          }
        }
      }),
      // A (re)started server knows no open errors yet: give it the current ones.
      server.onDidChangeState((state) => {
        if (state === 'running') {
          for (const [uri, diagnostics] of languages.getDiagnostics()) {
            if (diagnostics.length > 0 && this.shouldForward(uri)) {
              void this.send(uri);
            }
          }
        }
      }),
    ];
  }

  private shouldForward(uri: Uri): boolean {
    return (
      this.viewState.settings().server.capture.diagnostics &&
      uri.scheme === 'file' &&
      workspace.getWorkspaceFolder(uri) !== undefined
    );
  }

  private async send(uri: Uri): Promise<void> {
    const converter = this.server.protocolConverter;
    if (!converter || !this.shouldForward(uri)) {
      return;
    }
    const diagnostics = (await converter.asDiagnostics(languages.getDiagnostics(uri))) as WireDiagnostic[];
    const document = workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const params: DiagnosticsNotification = { uri: uri.toString(), version: document?.version ?? null, diagnostics };
    await this.server.sendNotification(Notifications.diagnostics, params);
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.debouncer.dispose();
  }
}

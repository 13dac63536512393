// Forwards finished shell commands run in workspace folders (needs terminal shell integration).
// The output must be read from the start event: by the end event the stream is gone.
import type { Disposable, TerminalShellExecution, Uri } from 'vscode';
import { window, workspace } from 'vscode';
import type { ServerManager } from '../client';
import type { TerminalCommandNotification } from '../protocol';
import { Notifications } from '../protocol';
import type { ViewState } from '../viewState';
import { OutputTail } from './outputTail';

const TAIL_CHARS = 8 * 1024;
/** How long the end event waits for the reader to drain the last output. */
const DRAIN_MS = 500;

interface Running {
  tail: OutputTail;
  drained: Promise<void>;
}

export class TerminalForwarder implements Disposable {
  private readonly running = new Map<TerminalShellExecution, Running>();
  private readonly listeners: Disposable[];

  constructor(
    private readonly server: ServerManager,
    private readonly viewState: ViewState,
  ) {
    this.listeners = [
      window.onDidStartTerminalShellExecution((event) => {
        if (!this.enabled() || !inWorkspace(event.execution.cwd)) {
          return;
        }
        const tail = new OutputTail(TAIL_CHARS);
        const drained = (async () => {
          for await (const data of event.execution.read()) {
            tail.append(data);
          }
        })().catch(() => undefined);
        this.running.set(event.execution, { tail, drained });
      }),
      window.onDidEndTerminalShellExecution(async (event) => {
        const running = this.running.get(event.execution);
        this.running.delete(event.execution);
        const command = event.execution.commandLine.value.trim();
        if (!running || !command || !this.enabled()) {
          return;
        }
        await Promise.race([running.drained, new Promise((resolve) => setTimeout(resolve, DRAIN_MS))]);
        const params: TerminalCommandNotification = {
          command,
          exitCode: event.exitCode ?? null,
          cwd: event.execution.cwd?.toString() ?? null,
          output: running.tail.value(),
        };
        await this.server.sendNotification(Notifications.terminalCommand, params);
      }),
    ];
  }

  private enabled(): boolean {
    return this.viewState.settings().server.capture.terminal;
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.running.clear();
  }
}

/** A command whose folder is unknown is kept: it ran in a workspace terminal. */
function inWorkspace(cwd: Uri | undefined): boolean {
  return cwd === undefined || workspace.getWorkspaceFolder(cwd) !== undefined;
}

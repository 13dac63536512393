// A language status item: whether the server runs, how many memories, which audience.
import type { Disposable, LanguageStatusItem } from 'vscode';
import { LanguageStatusSeverity, languages } from 'vscode';
import type { ServerManager } from './client';
import type { StatsResult } from './protocol';
import { Requests } from './protocol';
import type { ViewState } from './viewState';

export class ServerStatus implements Disposable {
  private readonly item: LanguageStatusItem;
  private memoryCount: number | undefined;
  private readonly listeners: Disposable[];

  constructor(
    private readonly server: ServerManager,
    private readonly viewState: ViewState,
  ) {
    this.item = languages.createLanguageStatusItem('vidurai.status', { scheme: 'file' });
    this.item.name = 'Vidurai';
    this.listeners = [
      server.onDidChangeState(() => this.refresh()),
      server.onDidChangeMemories(() => this.refresh()),
      viewState.onDidChange(() => this.render()),
    ];
    this.render();
  }

  async refresh(): Promise<void> {
    if (this.server.state === 'running') {
      try {
        const stats = await this.server.sendRequest<StatsResult>(Requests.stats, {});
        this.memoryCount = stats.total;
      } catch {
        this.memoryCount = undefined;
      }
    }
    this.render();
  }

  private render(): void {
    const state = this.server.state;
    const audience = this.viewState.audience;
    this.item.busy = state === 'starting';
    this.item.severity = state === 'failed' || state === 'crashed' ? LanguageStatusSeverity.Error : LanguageStatusSeverity.Information;
    if (state === 'failed') {
      this.item.text = '$(error) Vidurai: server failed';
      this.item.detail = 'See the logs';
      this.item.command = { title: 'Show Logs', command: 'vidurai.showLogs' };
      return;
    }
    if (state === 'crashed') {
      this.item.text = '$(error) Vidurai: server stopped';
      this.item.detail = 'It stopped unexpectedly several times';
      this.item.command = { title: 'Restart Server', command: 'vidurai.restartServer' };
      return;
    }
    if (state === 'running') {
      const count = this.memoryCount === undefined ? '' : ` ${this.memoryCount} ${this.memoryCount === 1 ? 'memory' : 'memories'}`;
      this.item.text = `$(history) Vidurai:${count}`;
    } else {
      this.item.text = `$(history) Vidurai: ${state}`;
    }
    this.item.detail = `audience: ${audience}`;
    this.item.command = { title: 'Switch Audience', command: 'vidurai.switchAudience' };
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.item.dispose();
  }
}

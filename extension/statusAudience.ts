// The audience in the status bar: who hovers and the tree speak to, for the folder of the file
// in front of you; a click switches it.
import type { Disposable, StatusBarItem } from 'vscode';
import { StatusBarAlignment, window, workspace } from 'vscode';
import type { ViewState } from './viewState';

export class AudienceStatus implements Disposable {
  private readonly item: StatusBarItem;
  private readonly listeners: Disposable[];

  constructor(private readonly viewState: ViewState) {
    this.item = window.createStatusBarItem('vidurai.audience', StatusBarAlignment.Right, 100);
    this.item.name = 'Vidurai Audience';
    this.item.command = 'vidurai.switchAudience';
    this.listeners = [
      viewState.onDidChange(() => this.render()),
      window.onDidChangeActiveTextEditor(() => this.render()),
      workspace.onDidChangeConfiguration((event) => event.affectsConfiguration('vidurai.audience') && this.render()),
      workspace.onDidChangeWorkspaceFolders(() => this.render()),
    ];
    this.render();
    this.item.show();
  }

  private render(): void {
    const audience = this.viewState.audienceFor(window.activeTextEditor?.document.uri ?? workspace.workspaceFolders?.[0]?.uri);
    this.item.text = `$(person) ${audience}`;
    this.item.tooltip = `Vidurai speaks to: ${audience} (hovers and the Memories tree). Click to switch.`;
    this.item.accessibilityInformation = { label: `Vidurai audience: ${audience}. Switch Audience` };
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.item.dispose();
  }
}

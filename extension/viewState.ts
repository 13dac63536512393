// The choices a user makes in the UI and that are remembered per workspace: the audience
// (Switch Audience wins over the `vidurai.audience` setting) and how the tree is grouped.
import type { Event, Memento, Uri } from 'vscode';
import { EventEmitter, workspace } from 'vscode';
import type { GroupBy } from './protocol';
import { GroupByValues } from './protocol';
import type { ExtensionSettings } from './settings';
import { configuredAudience, readSettings } from './settings';

const AUDIENCE_KEY = 'vidurai.audience';
const GROUP_BY_KEY = 'vidurai.groupBy';

export class ViewState {
  private readonly changeEmitter = new EventEmitter<void>();
  /** Fires when the audience or the grouping changes. */
  readonly onDidChange: Event<void> = this.changeEmitter.event;

  constructor(private readonly memento: Memento) {}

  settings(): ExtensionSettings {
    const config = workspace.getConfiguration('vidurai');
    const folders = workspace.workspaceFolders ?? [];
    // Multi-root: each folder's own `vidurai.audience` (a resource setting) goes to the server.
    const folderAudiences =
      folders.length > 1 ? Object.fromEntries(folders.map((f) => [f.uri.toString(), this.folderSetting(f.uri)])) : undefined;
    return readSettings((key, defaultValue) => config.get(key, defaultValue), this.override, folderAudiences);
  }

  /** The window's audience: Switch Audience's choice, else the `vidurai.audience` setting. */
  get audience(): string {
    return this.settings().server.audience;
  }

  /** The audience of the folder holding `resource` (a file or folder URI). */
  audienceFor(resource: Uri | undefined): string {
    const folder = resource && workspace.getWorkspaceFolder(resource);
    return this.override || (folder ? this.folderSetting(folder.uri) : this.audience);
  }

  /** Every audience in use: one, or one per folder in a multi-root window. */
  audiencesInUse(): string[] {
    const folders = workspace.workspaceFolders ?? [];
    return [...new Set(folders.length > 1 ? folders.map((f) => this.audienceFor(f.uri)) : [this.audience])];
  }

  private get override(): string | undefined {
    return this.memento.get<string>(AUDIENCE_KEY) || undefined;
  }

  private folderSetting(folder: Uri): string {
    const config = workspace.getConfiguration('vidurai', folder);
    return configuredAudience((key, defaultValue) => config.get(key, defaultValue));
  }

  async setAudience(audience: string): Promise<void> {
    await this.memento.update(AUDIENCE_KEY, audience);
    this.changeEmitter.fire();
  }

  /** A changed `vidurai.audience` setting is a newer choice than the workspace's override. */
  async clearAudienceOverride(): Promise<void> {
    await this.memento.update(AUDIENCE_KEY, undefined);
    this.changeEmitter.fire();
  }

  get groupBy(): GroupBy {
    const stored = this.memento.get<string>(GROUP_BY_KEY);
    return GroupByValues.find((g) => g === stored) ?? 'file';
  }

  async setGroupBy(groupBy: GroupBy): Promise<void> {
    await this.memento.update(GROUP_BY_KEY, groupBy);
    this.changeEmitter.fire();
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

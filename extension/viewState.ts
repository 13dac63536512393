// The choices a user makes in the UI and that are remembered per workspace: the audience
// (Switch Audience wins over the `vidurai.audience` setting) and how the tree is grouped.
import type { Event, Memento } from 'vscode';
import { EventEmitter, workspace } from 'vscode';
import type { GroupBy } from './protocol';
import { GroupByValues } from './protocol';
import type { ExtensionSettings } from './settings';
import { readSettings } from './settings';

const AUDIENCE_KEY = 'vidurai.audience';
const GROUP_BY_KEY = 'vidurai.groupBy';

export class ViewState {
  private readonly changeEmitter = new EventEmitter<void>();
  /** Fires when the audience or the grouping changes. */
  readonly onDidChange: Event<void> = this.changeEmitter.event;

  constructor(private readonly memento: Memento) {}

  settings(): ExtensionSettings {
    const config = workspace.getConfiguration('vidurai');
    return readSettings((key, defaultValue) => config.get(key, defaultValue), this.memento.get<string>(AUDIENCE_KEY));
  }

  get audience(): string {
    return this.settings().server.audience;
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

// The Memories tree: (workspace folder →) group → memory, fetched from the server page by page.
// What a row says comes from treeModel.ts; this file only adapts it to VS Code.
import type { Disposable, Event, TreeDataProvider, TreeView, WorkspaceFolder } from 'vscode';
import {
  EventEmitter,
  MarkdownString,
  Range,
  ThemeIcon,
  TreeItem,
  TreeItemCollapsibleState,
  Uri,
  commands,
  window,
  workspace,
} from 'vscode';
import type { ServerManager } from '../client';
import type { MemoryGroupsResult, MemoryItem, MemoryItemsResult, StatusResult } from '../protocol';
import { Requests } from '../protocol';
import type { ViewState } from '../viewState';
import { GroupByLabels, groupRowView, memoryRowView } from './treeModel';

const PAGE_SIZE = 100;
/** Above this many groups, groups start collapsed so opening the view stays quick. */
const EXPAND_GROUPS_UP_TO = 20;
export const LOAD_MORE_COMMAND = 'vidurai.tree.loadMore';

export interface FolderNode {
  kind: 'folder';
  folder: WorkspaceFolder;
}
export interface GroupNode {
  kind: 'group';
  project: string | undefined;
  key: string;
  label: string;
  count: number;
  expanded: boolean;
  /** Pages loaded so far (reset by a refresh). */
  items: MemoryItem[];
  nextOffset: number | null;
  loaded: boolean;
  /** The first page: asked for with the groups when the group shows expanded, else when opened. */
  firstPage?: Promise<void>;
}
export interface MemoryNode {
  kind: 'memory';
  memory: MemoryItem;
  parent: GroupNode;
}
export interface LoadMoreNode {
  kind: 'more';
  parent: GroupNode;
}
/** A row that does something about a problem the view shows (a broken database). */
export interface ActionNode {
  kind: 'action';
  label: string;
  icon: string;
  command: string;
  arguments: unknown[];
}
export type MemoryTreeNode = FolderNode | GroupNode | MemoryNode | LoadMoreNode | ActionNode;

/** When the database cannot be read, the view says why (its message) and offers these. */
const DATABASE_ACTIONS: ActionNode[] = [
  { kind: 'action', label: 'Choose another database file…', icon: 'gear', command: 'workbench.action.openSettings', arguments: ['vidurai.databasePath'] },
  { kind: 'action', label: 'Show Logs', icon: 'output', command: 'vidurai.showLogs', arguments: [] },
];

export class MemoryTreeProvider implements TreeDataProvider<MemoryTreeNode>, Disposable {
  private readonly changeEmitter = new EventEmitter<MemoryTreeNode | undefined>();
  readonly onDidChangeTreeData: Event<MemoryTreeNode | undefined> = this.changeEmitter.event;
  private readonly firstShowEmitter = new EventEmitter<number>();
  /** Fires once, with the number of memories, the first time the tree has shown any. */
  readonly onDidFirstShowMemories: Event<number> = this.firstShowEmitter.event;
  private shownMemories = false;
  private readonly view: TreeView<MemoryTreeNode>;
  private readonly listeners: Disposable[];

  constructor(
    private readonly server: ServerManager,
    private readonly viewState: ViewState,
  ) {
    this.view = window.createTreeView('vidurai.memories', { treeDataProvider: this, showCollapseAll: true });
    this.listeners = [
      this.view,
      server.onDidChangeMemories(() => this.refresh()),
      server.onDidChangeState((state) => {
        void commands.executeCommand('setContext', 'vidurai.serverState', state);
        if (state !== 'starting') {
          this.refresh();
        }
      }),
      viewState.onDidChange(() => this.refresh()),
      workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
      commands.registerCommand(LOAD_MORE_COMMAND, (node: LoadMoreNode) => this.loadMore(node.parent)),
    ];
    this.describeView();
  }

  refresh(): void {
    this.describeView();
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: MemoryTreeNode): TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new TreeItem(node.folder.name, TreeItemCollapsibleState.Expanded);
        item.id = `folder:${node.folder.uri.toString()}`;
        item.iconPath = ThemeIcon.Folder;
        item.resourceUri = node.folder.uri;
        // Folders that speak to different audiences say which (each folder's vidurai.audience).
        if (this.viewState.audiencesInUse().length > 1) {
          item.description = this.viewState.audienceFor(node.folder.uri);
        }
        return item;
      }
      case 'group': {
        const view = groupRowView(node, this.viewState.groupBy, node.project);
        const item = new TreeItem(
          view.label,
          node.expanded ? TreeItemCollapsibleState.Expanded : TreeItemCollapsibleState.Collapsed,
        );
        item.id = `group:${node.project ?? ''}:${this.viewState.groupBy}:${node.key}`;
        item.description = view.description;
        if (view.fileUri) {
          item.resourceUri = Uri.parse(view.fileUri); // the icon theme's icon for this file
          item.iconPath = ThemeIcon.File;
        } else {
          item.iconPath = new ThemeIcon(view.icon);
        }
        item.contextValue = 'group';
        return item;
      }
      case 'memory': {
        const view = memoryRowView(node.memory, this.viewState.groupBy);
        const item = new TreeItem(view.label, TreeItemCollapsibleState.None);
        item.id = `memory:${node.memory.id}`;
        item.description = view.description;
        item.tooltip = new MarkdownString(view.tooltipMarkdown);
        item.contextValue = view.contextValue;
        item.iconPath = new ThemeIcon(view.icon);
        item.accessibilityInformation = { label: `${view.label}, ${view.description}` };
        item.command = view.location
          ? {
              title: 'Open',
              command: 'vscode.open',
              arguments: [
                Uri.parse(view.location.uri),
                { selection: new Range(view.location.line, 0, view.location.line, 0), preview: true },
              ],
            }
          : { title: 'Show Memory', command: 'vidurai.showMemory', arguments: [node.memory.id] };
        return item;
      }
      case 'action': {
        const item = new TreeItem(node.label, TreeItemCollapsibleState.None);
        item.iconPath = new ThemeIcon(node.icon);
        item.command = { title: node.label, command: node.command, arguments: node.arguments };
        return item;
      }
      case 'more': {
        const item = new TreeItem('Load more…', TreeItemCollapsibleState.None);
        item.id = `more:${node.parent.project ?? ''}:${node.parent.key}:${node.parent.items.length}`;
        item.iconPath = new ThemeIcon('ellipsis');
        item.command = { title: 'Load more', command: LOAD_MORE_COMMAND, arguments: [node] };
        return item;
      }
    }
  }

  async getChildren(node?: MemoryTreeNode): Promise<MemoryTreeNode[]> {
    if (!node) {
      await this.server.whenSettled();
      if (this.server.state !== 'running') {
        this.view.message = undefined;
        return [];
      }
      if (!(await this.databaseUsable())) {
        return DATABASE_ACTIONS;
      }
      const folders = workspace.workspaceFolders ?? [];
      if (folders.length > 1) {
        // Multi-root: a folder node for each folder that has memories.
        const perFolder = await Promise.all(folders.map((f) => this.groups(f.uri.toString())));
        const nodes: FolderNode[] = folders
          .filter((_, i) => perFolder[i].length > 0)
          .map((folder) => ({ kind: 'folder', folder }));
        return nodes;
      }
      return this.groups(folders[0]?.uri.toString());
    }
    switch (node.kind) {
      case 'folder':
        return this.groups(node.folder.uri.toString());
      case 'group':
        await (node.firstPage ??= this.loadPage(node));
        return this.itemNodes(node);
      default:
        return [];
    }
  }

  getParent(node: MemoryTreeNode): MemoryTreeNode | undefined {
    return node.kind === 'memory' || node.kind === 'more' ? node.parent : undefined;
  }

  /**
   * Whether the server can read its database. When it cannot, the view says what is wrong and
   * what to do (its message, and action rows) instead of inviting a first note.
   */
  private async databaseUsable(): Promise<boolean> {
    try {
      const { database } = await this.server.sendRequest<StatusResult>(Requests.status, {});
      this.view.message = database.ok
        ? undefined
        : `Vidurai cannot read its memory database: ${database.problem ?? 'unknown problem'}. ${database.advice ?? ''}`.trim();
      return database.ok;
    } catch (error) {
      this.view.message = undefined;
      this.server.reportRequestError('Vidurai could not ask the server about its database', error);
      return true; // let the listing say what is wrong
    }
  }

  private audienceOf(project: string | undefined): string {
    return this.viewState.audienceFor(project ? Uri.parse(project) : undefined);
  }

  private async groups(project: string | undefined): Promise<GroupNode[]> {
    try {
      const result = await this.server.sendRequest<MemoryGroupsResult>(Requests.memories, {
        project,
        groupBy: this.viewState.groupBy,
        audience: this.audienceOf(project),
      });
      const expanded = result.groups.length <= EXPAND_GROUPS_UP_TO;
      const nodes = result.groups.map(
        (group): GroupNode => ({
          kind: 'group',
          project,
          key: group.key,
          label: group.label,
          count: group.count,
          expanded,
          items: [],
          nextOffset: null,
          loaded: false,
        }),
      );
      // Asked for now rather than when VS Code asks for the expanded groups' rows, after it has
      // drawn them: the answers then travel while it draws (a round trip less before any row).
      nodes.filter((node) => node.expanded).forEach((node) => (node.firstPage = this.loadPage(node)));
      return nodes;
    } catch (error) {
      this.server.reportRequestError('Vidurai could not list memories', error);
      return [];
    }
  }

  private async loadPage(group: GroupNode): Promise<void> {
    try {
      const result = await this.server.sendRequest<MemoryItemsResult>(Requests.memories, {
        project: group.project,
        groupBy: this.viewState.groupBy,
        group: group.key,
        audience: this.audienceOf(group.project),
        offset: group.loaded ? (group.nextOffset ?? group.items.length) : 0,
        limit: PAGE_SIZE,
      });
      group.items.push(...result.items);
      group.nextOffset = result.nextOffset;
      group.loaded = true;
    } catch (error) {
      this.server.reportRequestError('Vidurai could not list memories', error);
    }
  }

  private itemNodes(group: GroupNode): MemoryTreeNode[] {
    const nodes: MemoryTreeNode[] = group.items.map((memory) => ({ kind: 'memory', memory, parent: group }));
    if (group.nextOffset !== null) {
      nodes.push({ kind: 'more', parent: group });
    }
    if (nodes.length > 0 && !this.shownMemories) {
      this.shownMemories = true;
      this.firstShowEmitter.fire(group.items.length);
    }
    return nodes;
  }

  private async loadMore(group: GroupNode): Promise<void> {
    await this.loadPage(group);
    this.changeEmitter.fire(group);
  }

  private describeView(): void {
    const audiences = this.viewState.audiencesInUse();
    const audience = audiences.length > 1 ? 'audience per folder' : audiences[0];
    this.view.description = `${audience} · by ${GroupByLabels[this.viewState.groupBy].toLowerCase()}`;
  }

  dispose(): void {
    this.listeners.forEach((d) => d.dispose());
    this.changeEmitter.dispose();
    this.firstShowEmitter.dispose();
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// What each row of the Memories tree says. Pure (no vscode import) so it is unit-tested;
// memoryTree.ts turns these views into TreeItems.
import { locationText, memoryTooltipMarkdown } from '../markdown';
import type { GroupBy, MemoryGroup, MemoryItem } from '../protocol';

export interface MemoryRowView {
  label: string;
  description: string;
  tooltipMarkdown: string;
  /** Drives the context menu: Pin shows on `memory`, Unpin on `memory.pinned`. */
  contextValue: 'memory' | 'memory.pinned';
  icon: string;
  /** Where a click goes; undefined for a memory without a place or whose lines were deleted. */
  location?: { uri: string; line: number };
}

export interface GroupRowView {
  label: string;
  description: string;
  /** A file group shows the file's own icon (from the icon theme) and the file name first. */
  fileUri?: string;
  icon: string;
}

/** `groupBy` file: the group row already names the file, so a row says only its line. */
export function memoryRowView(memory: MemoryItem, groupBy: GroupBy = 'recent'): MemoryRowView {
  const where = memory.detached
    ? 'its lines were deleted'
    : groupBy === 'file' && memory.line !== null
      ? `line ${memory.line + 1}`
      : locationText(memory);
  return {
    label: memory.label || memory.gist,
    description: [memory.age, where].filter(Boolean).join(' · '),
    tooltipMarkdown: memoryTooltipMarkdown(memory),
    contextValue: memory.pinned ? 'memory.pinned' : 'memory',
    icon: memory.detached ? 'debug-disconnect' : memoryIcon(memory),
    location: memory.uri && !memory.detached ? { uri: memory.uri, line: memory.line ?? 0 } : undefined,
  };
}

/**
 * Like the Explorer: a file group reads "middleware.py  src/auth · 3" (name first, its folder
 * dimmed in the description); the memories without a file get a project icon, not a file's.
 */
export function groupRowView(group: MemoryGroup, groupBy: GroupBy, project?: string): GroupRowView {
  const count = String(group.count);
  if (groupBy !== 'file') {
    return { label: group.label, description: count, icon: GROUP_ICONS[groupBy] };
  }
  if (!group.key.startsWith(FILE_GROUP_PREFIX)) {
    return { label: group.label, description: count, icon: 'project' };
  }
  const file = group.key.slice(FILE_GROUP_PREFIX.length);
  const slash = file.lastIndexOf('/');
  return {
    label: file.slice(slash + 1),
    description: slash > 0 ? `${file.slice(0, slash)} · ${count}` : count,
    fileUri: project ? `${project.replace(/\/$/, '')}/${file.split('/').map(encodeURIComponent).join('/')}` : undefined,
    icon: 'file',
  };
}

/** PROTOCOL.md: a file group's key is `path:` and the file relative to its project. */
const FILE_GROUP_PREFIX = 'path:';

export const GroupByLabels: Record<GroupBy, string> = {
  file: 'File',
  salience: 'Salience',
  recent: 'Recent',
  pinned: 'Pinned',
};

const GROUP_ICONS: Record<GroupBy, string> = {
  file: 'file',
  salience: 'flame',
  recent: 'calendar',
  pinned: 'pinned',
};

/**
 * Each event kind's icon. The server's table of kinds (server/vidurai/gists/kinds.py) is the
 * source; tests/server/test_manifest.py checks this copy against it.
 */
const EVENT_KIND_ICONS: Readonly<Record<string, string>> = {
  error_fixed: 'bug',
  command_failed: 'terminal',
  command_fixed: 'bug',
  decision: 'lightbulb',
  refactor: 'lightbulb',
  config: 'lightbulb',
  note: 'note',
};

function memoryIcon(memory: MemoryItem): string {
  if (memory.pinned) {
    return 'pinned';
  }
  // A kind this version does not know is told as a note, as the server tells it.
  return EVENT_KIND_ICONS[memory.eventType] ?? EVENT_KIND_ICONS.note;
}
